-- In-sample choice (picked and scored on the same problems): an upper bound on what a
-- cross-validated selection reaches. Ties go to the cheaper configuration. 'pass' is an oracle,
-- not a strategy an unlabelled question could use, so it is never chosen.
CREATE VIEW pipeline.compute_optimal_by_level AS
WITH best AS (
    SELECT DISTINCT ON (run_id, level, budget_n)
           run_id, level, budget_n, strategy_label, aggregator, step_aggregation,
           problems, correct, accuracy, mean_generated_tokens
    FROM pipeline.accuracy_by_budget
    WHERE aggregator <> 'pass'
    ORDER BY run_id, level, budget_n, accuracy DESC, mean_generated_tokens, strategy_label, aggregator, step_aggregation)
SELECT best.*, bon.accuracy AS best_of_n_accuracy
FROM best
LEFT JOIN pipeline.accuracy_by_budget bon
  ON bon.run_id = best.run_id AND bon.level IS NOT DISTINCT FROM best.level AND bon.budget_n = best.budget_n
 AND bon.strategy_label = 'best_of_n' AND bon.aggregator = 'weighted' AND bon.step_aggregation = 'last';

COMMENT ON VIEW pipeline.compute_optimal_by_level IS 'Per run, level and budget n: the strategy config, aggregator and step aggregation with the highest accuracy (in-sample, ties to fewer tokens; pass@n excluded), with weighted best-of-N at the same n for comparison.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.level IS 'Dataset difficulty level (MATH 1-5; NULL for GSM8K).';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.budget_n IS 'Generation budget n.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.strategy_label IS 'Best strategy config at this level and budget.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.aggregator IS 'Its answer aggregator.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.step_aggregation IS 'Its PRM step aggregation.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.problems IS 'Problems at this level with an outcome.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.correct IS 'Problems the best config answered correctly.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.accuracy IS 'Accuracy of the best config, in [0,1].';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.mean_generated_tokens IS 'Mean generated tokens per problem of the best config.';
COMMENT ON COLUMN pipeline.compute_optimal_by_level.best_of_n_accuracy IS 'Accuracy of best_of_n (weighted, last step) at the same level and n; NULL when the run has none.';
