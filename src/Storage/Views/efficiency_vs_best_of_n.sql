-- The paper's efficiency figure ("compute-optimal needs 4x less compute than best-of-N"): for each cross-validated
-- compute-optimal point, the budget weighted best-of-N (last step) needs in the same bin for the same accuracy,
-- read off its curve by log_budget_interpolate, in three units. Curve points whose budget is not above every
-- smaller n's (a token or FLOPs mean that did not grow) are left out, so the curve is ascending as the function
-- requires.
CREATE VIEW pipeline.efficiency_vs_best_of_n AS
WITH units(unit) AS (VALUES ('generations'), ('generated_tokens'), ('flops')),
optimal AS (
    SELECT c.run_id, c.bin_kind, c.bin, c.budget_n, u.unit, c.cv_accuracy, c.chosen_configs,
           CASE u.unit WHEN 'generations' THEN c.budget_n::double precision
                       WHEN 'generated_tokens' THEN c.mean_generated_tokens ELSE c.mean_flops END AS budget
    FROM pipeline.compute_optimal_cv c CROSS JOIN units u),
bon_points AS (
    SELECT a.run_id, a.bin_kind, a.bin, u.unit, a.budget_n, a.accuracy,
           CASE u.unit WHEN 'generations' THEN a.budget_n::double precision
                       WHEN 'generated_tokens' THEN a.mean_generated_tokens ELSE a.mean_flops END AS budget
    FROM pipeline.accuracy_by_difficulty a CROSS JOIN units u
    WHERE a.strategy_label = 'best_of_n' AND a.aggregator = 'weighted' AND a.step_aggregation = 'last'),
bon_ordered AS (
    SELECT *, max(budget) OVER (PARTITION BY run_id, bin_kind, bin, unit ORDER BY budget_n
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_max
    FROM bon_points),
bon AS (
    SELECT run_id, bin_kind, bin, unit,
           array_agg(budget ORDER BY budget_n) AS budgets, array_agg(accuracy ORDER BY budget_n) AS accuracies
    FROM bon_ordered
    WHERE budget > 0 AND (previous_max IS NULL OR budget > previous_max)
    GROUP BY run_id, bin_kind, bin, unit)
SELECT o.run_id, o.bin_kind, o.bin, o.budget_n, o.unit,
       o.cv_accuracy AS compute_optimal_accuracy,
       o.budget AS compute_optimal_budget,
       m.best_of_n_budget,
       m.best_of_n_budget / nullif(o.budget, 0) AS ratio,
       CASE WHEN m.best_of_n_budget IS NULL THEN 'not_reached'
            WHEN b.accuracies[1] >= o.cv_accuracy THEN 'at_smallest'
            ELSE 'interpolated' END AS match,
       o.chosen_configs
FROM optimal o
JOIN bon b ON b.run_id = o.run_id AND b.bin_kind = o.bin_kind AND b.bin = o.bin AND b.unit = o.unit
CROSS JOIN LATERAL (SELECT pipeline.log_budget_interpolate(b.budgets, b.accuracies, o.cv_accuracy) AS best_of_n_budget) m;

COMMENT ON VIEW pipeline.efficiency_vs_best_of_n IS 'Per run, difficulty bin, budget and unit: the cross-validated compute-optimal accuracy and budget, the budget weighted best-of-N (last step) needs for the same accuracy in the same bin (log-budget interpolation), and their ratio.';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.bin_kind IS '''oracle'' or ''predicted'' difficulty bins (see problem_difficulty).';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.bin IS 'Difficulty bin 1 (easiest) to 5.';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.budget_n IS 'Generation budget n of the compute-optimal point.';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.unit IS 'Budget unit of the budget columns: ''generations'' (n), ''generated_tokens'' (mean per problem) or ''flops'' (mean inference FLOPs per problem).';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.compute_optimal_accuracy IS 'compute_optimal_cv.cv_accuracy at this bin and n.';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.compute_optimal_budget IS 'Budget the compute-optimal configs spent, in the unit.';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.best_of_n_budget IS 'Budget weighted best-of-N needs for the same accuracy in the bin (log_budget_interpolate); NULL when it never gets there.';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.ratio IS 'best_of_n_budget / compute_optimal_budget: how many times the compute best-of-N needs (> 1: compute-optimal saves).';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.match IS '''interpolated'', ''at_smallest'' (best-of-N''s smallest budget already reaches it: the ratio is an upper bound) or ''not_reached'' (no budget, no ratio).';
COMMENT ON COLUMN pipeline.efficiency_vs_best_of_n.chosen_configs IS 'compute_optimal_cv.chosen_configs: the configs chosen on fold 0, then on fold 1.';
