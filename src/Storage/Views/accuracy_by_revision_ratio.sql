-- Sequential revisions split budget N into N/L parallel chains of length L; the paper's figure plots accuracy
-- against the sequential/parallel ratio L / (N/L) per difficulty bin. Bin kind 'all' (bin 0) is every problem,
-- also for runs without difficulty bins.
CREATE VIEW pipeline.accuracy_by_revision_ratio AS
SELECT o.run_id, o.strategy_label, b.bin_kind, b.bin, o.budget_n, s.chain_length,
       (o.budget_n / s.chain_length)::int AS parallel_chains,
       (s.chain_length::double precision * s.chain_length / o.budget_n) AS seq_parallel_ratio,
       o.aggregator, o.step_aggregation,
       count(*)::int AS problems,
       count(*) FILTER (WHERE o.is_correct)::int AS correct,
       avg(o.is_correct::int)::double precision AS accuracy,
       avg(o.generated_tokens)::double precision AS mean_generated_tokens
FROM pipeline.outcomes_per_problem o
JOIN pipeline.searches s ON s.search_id = o.search_id
LEFT JOIN pipeline.problem_difficulty d ON d.run_id = o.run_id AND d.problem_id = o.problem_id
CROSS JOIN LATERAL (VALUES ('all', 0), ('oracle', d.oracle_bin), ('predicted', d.predicted_bin)) AS b(bin_kind, bin)
WHERE o.strategy = 'revisions' AND s.chain_length IS NOT NULL AND b.bin IS NOT NULL
GROUP BY o.run_id, o.strategy_label, b.bin_kind, b.bin, o.budget_n, s.chain_length, o.aggregator, o.step_aggregation;

COMMENT ON VIEW pipeline.accuracy_by_revision_ratio IS 'Sequential revisions: accuracy per run x bin x budget N x chain length L (N/L parallel chains) x aggregator x step aggregation; bin_kind ''all'' (bin 0) is every problem.';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.strategy_label IS 'Strategy with parameters, e.g. revisions(L=4).';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.bin_kind IS '''all'', ''oracle'' or ''predicted'' (see problem_difficulty).';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.bin IS 'Difficulty bin 1 (easiest) to 5; 0 with bin_kind ''all''.';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.budget_n IS 'Generation budget N.';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.chain_length IS 'Revision chain length L (sequential attempts per chain).';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.parallel_chains IS 'Parallel chains N / L.';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.seq_parallel_ratio IS 'Sequential/parallel ratio L / (N / L) (1/N: all parallel; N: one chain).';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.aggregator IS 'Answer aggregator (hierarchical, majority, ...).';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.step_aggregation IS 'PRM step aggregation (last, min, prod, mean, none).';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.problems IS 'Problems with an outcome in this group.';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.correct IS 'Problems answered correctly.';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.accuracy IS 'correct / problems, in [0,1].';
COMMENT ON COLUMN pipeline.accuracy_by_revision_ratio.mean_generated_tokens IS 'Mean generated tokens per problem.';
