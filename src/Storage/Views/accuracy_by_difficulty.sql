CREATE VIEW pipeline.accuracy_by_difficulty AS
SELECT o.run_id, o.strategy_label, o.budget_n, o.aggregator, o.step_aggregation, b.bin_kind, b.bin,
       count(*)::int AS problems,
       count(*) FILTER (WHERE o.is_correct)::int AS correct,
       avg(o.is_correct::int)::double precision AS accuracy,
       avg(o.generated_tokens)::double precision AS mean_generated_tokens,
       avg(o.flops) AS mean_flops
FROM pipeline.outcomes_per_problem o
JOIN pipeline.problem_difficulty d ON d.run_id = o.run_id AND d.problem_id = o.problem_id
CROSS JOIN LATERAL (VALUES ('oracle', d.oracle_bin), ('predicted', d.predicted_bin)) AS b(bin_kind, bin)
GROUP BY o.run_id, o.strategy_label, o.budget_n, o.aggregator, o.step_aggregation, b.bin_kind, b.bin;

COMMENT ON VIEW pipeline.accuracy_by_difficulty IS 'Accuracy per run x strategy config x budget x aggregator x step aggregation x difficulty bin (oracle or predicted, see problem_difficulty).';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.strategy_label IS 'Strategy with parameters, e.g. beam(M=4).';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.budget_n IS 'Generation budget n.';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.aggregator IS 'Answer aggregator (weighted, majority, naive, pass, hierarchical).';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.step_aggregation IS 'PRM step aggregation (last, min, prod, mean, none).';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.bin_kind IS '''oracle'' (pass@1 bins) or ''predicted'' (PRM score bins).';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.bin IS 'Difficulty bin 1 (easiest) to 5.';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.problems IS 'Problems in the bin with an outcome.';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.correct IS 'Problems answered correctly.';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.accuracy IS 'correct / problems, in [0,1].';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.mean_generated_tokens IS 'Mean generated tokens per problem.';
COMMENT ON COLUMN pipeline.accuracy_by_difficulty.mean_flops IS 'Mean inference FLOPs per problem.';
