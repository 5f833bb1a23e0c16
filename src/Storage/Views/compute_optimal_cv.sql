-- The paper's compute-optimal selection: per difficulty bin and budget, pick the config on one fold of
-- the questions, score it on the other, both directions (2-fold cross-validation). Folds by problem_id
-- parity: stable, and independent of difficulty. Each problem is scored with the config chosen on the
-- other fold, so cv_accuracy is an honest estimate, unlike compute_optimal_by_level.
CREATE VIEW pipeline.compute_optimal_cv AS
WITH per_problem AS (
    SELECT o.run_id, o.strategy_label, o.aggregator, o.step_aggregation, o.budget_n, o.problem_id,
           b.bin_kind, b.bin, o.is_correct, o.generated_tokens, o.flops, (o.problem_id % 2)::int AS fold
    FROM pipeline.outcomes_per_problem o
    JOIN pipeline.problem_difficulty d ON d.run_id = o.run_id AND d.problem_id = o.problem_id
    CROSS JOIN LATERAL (VALUES ('oracle', d.oracle_bin), ('predicted', d.predicted_bin)) AS b(bin_kind, bin)
    WHERE o.aggregator <> 'pass'),
fold_accuracy AS (
    SELECT run_id, bin_kind, bin, budget_n, strategy_label, aggregator, step_aggregation, fold,
           avg(is_correct::int)::double precision AS accuracy, count(*)::int AS problems,
           count(*) FILTER (WHERE is_correct)::int AS correct,
           sum(generated_tokens)::double precision AS sum_generated_tokens, sum(flops) AS sum_flops
    FROM per_problem
    GROUP BY run_id, bin_kind, bin, budget_n, strategy_label, aggregator, step_aggregation, fold),
chosen AS (
    SELECT DISTINCT ON (run_id, bin_kind, bin, budget_n, fold)
           run_id, bin_kind, bin, budget_n, fold AS chosen_on, strategy_label, aggregator, step_aggregation
    FROM fold_accuracy
    ORDER BY run_id, bin_kind, bin, budget_n, fold, accuracy DESC, strategy_label, aggregator, step_aggregation),
scored AS (
    SELECT c.*, f.problems, f.correct, f.sum_generated_tokens, f.sum_flops
    FROM chosen c
    JOIN fold_accuracy f ON f.run_id = c.run_id AND f.bin_kind = c.bin_kind AND f.bin = c.bin
     AND f.budget_n = c.budget_n AND f.strategy_label = c.strategy_label AND f.aggregator = c.aggregator
     AND f.step_aggregation = c.step_aggregation AND f.fold = 1 - c.chosen_on)
SELECT s.run_id, s.bin_kind, s.bin, s.budget_n,
       sum(s.problems)::int AS problems,
       sum(s.correct)::int AS correct,
       (sum(s.correct)::double precision / sum(s.problems)) AS cv_accuracy,
       string_agg(s.strategy_label || ' ' || s.aggregator || '/' || s.step_aggregation, '; ' ORDER BY s.chosen_on) AS chosen_configs,
       bon.accuracy AS best_of_n_accuracy,
       sum(s.sum_generated_tokens) / sum(s.problems) AS mean_generated_tokens,
       sum(s.sum_flops) / sum(s.problems) AS mean_flops
FROM scored s
LEFT JOIN pipeline.accuracy_by_difficulty bon
  ON bon.run_id = s.run_id AND bon.bin_kind = s.bin_kind AND bon.bin = s.bin AND bon.budget_n = s.budget_n
 AND bon.strategy_label = 'best_of_n' AND bon.aggregator = 'weighted' AND bon.step_aggregation = 'last'
GROUP BY s.run_id, s.bin_kind, s.bin, s.budget_n, bon.accuracy;

COMMENT ON VIEW pipeline.compute_optimal_cv IS 'Compute-optimal selection per run, difficulty bin and budget with 2-fold cross-validation (folds: problem_id parity): each problem is scored with the config chosen on the other fold; weighted best-of-N beside it. pass@n excluded.';
COMMENT ON COLUMN pipeline.compute_optimal_cv.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.compute_optimal_cv.bin_kind IS '''oracle'' or ''predicted'' difficulty bins (see problem_difficulty).';
COMMENT ON COLUMN pipeline.compute_optimal_cv.bin IS 'Difficulty bin 1 (easiest) to 5.';
COMMENT ON COLUMN pipeline.compute_optimal_cv.budget_n IS 'Generation budget n.';
COMMENT ON COLUMN pipeline.compute_optimal_cv.problems IS 'Problems scored (both folds).';
COMMENT ON COLUMN pipeline.compute_optimal_cv.correct IS 'Problems answered correctly by the config chosen on the other fold.';
COMMENT ON COLUMN pipeline.compute_optimal_cv.cv_accuracy IS 'correct / problems, in [0,1].';
COMMENT ON COLUMN pipeline.compute_optimal_cv.chosen_configs IS 'Config chosen on fold 0, then on fold 1 (strategy aggregator/step aggregation).';
COMMENT ON COLUMN pipeline.compute_optimal_cv.best_of_n_accuracy IS 'Accuracy of best_of_n (weighted, last step) in the same bin at the same n.';
COMMENT ON COLUMN pipeline.compute_optimal_cv.mean_generated_tokens IS 'Mean generated tokens per problem of the configs as scored (each problem with the config chosen on the other fold).';
COMMENT ON COLUMN pipeline.compute_optimal_cv.mean_flops IS 'Mean inference FLOPs per problem of the configs as scored.';
