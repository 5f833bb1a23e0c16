CREATE VIEW pipeline.accuracy_overall AS
SELECT run_id, strategy_label, budget_n, aggregator, step_aggregation,
       count(*)::int AS problems,
       count(*) FILTER (WHERE is_correct)::int AS correct,
       avg(is_correct::int)::double precision AS accuracy,
       avg(generated_tokens)::double precision AS mean_generated_tokens,
       avg(flops) AS mean_flops
FROM pipeline.outcomes_per_problem
GROUP BY run_id, strategy_label, budget_n, aggregator, step_aggregation;

COMMENT ON VIEW pipeline.accuracy_overall IS 'Accuracy per run x strategy config x budget x aggregator x step aggregation, all levels together.';
COMMENT ON COLUMN pipeline.accuracy_overall.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.accuracy_overall.strategy_label IS 'Strategy with parameters, e.g. beam(M=4).';
COMMENT ON COLUMN pipeline.accuracy_overall.budget_n IS 'Generation budget n.';
COMMENT ON COLUMN pipeline.accuracy_overall.aggregator IS 'Answer aggregator (weighted, majority, naive, pass, hierarchical).';
COMMENT ON COLUMN pipeline.accuracy_overall.step_aggregation IS 'PRM step aggregation (last, min, prod, mean, none).';
COMMENT ON COLUMN pipeline.accuracy_overall.problems IS 'Problems with an outcome in this group.';
COMMENT ON COLUMN pipeline.accuracy_overall.correct IS 'Problems answered correctly.';
COMMENT ON COLUMN pipeline.accuracy_overall.accuracy IS 'correct / problems, in [0,1].';
COMMENT ON COLUMN pipeline.accuracy_overall.mean_generated_tokens IS 'Mean generated tokens per problem.';
COMMENT ON COLUMN pipeline.accuracy_overall.mean_flops IS 'Mean inference FLOPs per problem.';
