CREATE VIEW pipeline.accuracy_by_budget AS
SELECT run_id, strategy_label, budget_n, aggregator, step_aggregation, level,
       count(*)::int AS problems,
       count(*) FILTER (WHERE is_correct)::int AS correct,
       avg(is_correct::int)::double precision AS accuracy,
       avg(generated_tokens)::double precision AS mean_generated_tokens,
       avg(flops) AS mean_flops
FROM pipeline.outcomes_per_problem
GROUP BY run_id, strategy_label, budget_n, aggregator, step_aggregation, level;

COMMENT ON VIEW pipeline.accuracy_by_budget IS 'Accuracy per run x strategy config x budget x aggregator x step aggregation x difficulty level.';
COMMENT ON COLUMN pipeline.accuracy_by_budget.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.accuracy_by_budget.strategy_label IS 'Strategy with parameters, e.g. beam(M=4).';
COMMENT ON COLUMN pipeline.accuracy_by_budget.budget_n IS 'Generation budget n.';
COMMENT ON COLUMN pipeline.accuracy_by_budget.aggregator IS 'Answer aggregator (weighted, majority, naive, pass, hierarchical).';
COMMENT ON COLUMN pipeline.accuracy_by_budget.step_aggregation IS 'PRM step aggregation (last, min, prod, mean, none).';
COMMENT ON COLUMN pipeline.accuracy_by_budget.level IS 'Dataset difficulty level (MATH 1-5; NULL for GSM8K).';
COMMENT ON COLUMN pipeline.accuracy_by_budget.problems IS 'Problems with an outcome in this group.';
COMMENT ON COLUMN pipeline.accuracy_by_budget.correct IS 'Problems answered correctly.';
COMMENT ON COLUMN pipeline.accuracy_by_budget.accuracy IS 'correct / problems, in [0,1].';
COMMENT ON COLUMN pipeline.accuracy_by_budget.mean_generated_tokens IS 'Mean generated tokens per problem.';
COMMENT ON COLUMN pipeline.accuracy_by_budget.mean_flops IS 'Mean inference FLOPs per problem.';
