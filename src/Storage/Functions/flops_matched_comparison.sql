-- The paper's FLOPs-matched comparison (section 7): a large model at budget n against a small one at
-- multiplier x n generations, where the multiplier equalises total (pretraining + inference) FLOPs for each
-- R = D_inference / D_pretrain. Bins are the small run's (problem_difficulty of small_run): give both runs the
-- same difficulty_from and they are the same problems. The small side is its cross-validated compute-optimal
-- curve (compute_optimal_cv), the large side its weighted best-of-N (last step), as the paper compares a
-- test-time-compute small model to a larger one sampled plainly. Generations are assumed equally long on both sides.
CREATE FUNCTION pipeline.flops_matched_comparison(
    small_run uuid, large_run uuid,
    ratios double precision[] DEFAULT ARRAY[0.16, 0.79, 22]::double precision[])
RETURNS TABLE (
    inference_to_pretraining double precision, parameter_ratio double precision,
    pretraining_token_ratio double precision, pretraining_tokens_known boolean, multiplier double precision,
    bin_kind text, bin integer, large_budget_n integer, large_accuracy double precision,
    small_budget double precision, small_budget_used double precision, small_accuracy double precision,
    small_budget_capped boolean, accuracy_difference double precision, winner text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    s pipeline.runs;
    l pipeline.runs;
BEGIN
    SELECT * INTO s FROM pipeline.runs r WHERE r.run_id = small_run;
    IF NOT FOUND THEN RAISE EXCEPTION 'flops_matched_comparison: no run %', small_run; END IF;
    SELECT * INTO l FROM pipeline.runs r WHERE r.run_id = large_run;
    IF NOT FOUND THEN RAISE EXCEPTION 'flops_matched_comparison: no run %', large_run; END IF;
    IF s.dataset_id <> l.dataset_id THEN
        RAISE EXCEPTION 'flops_matched_comparison: runs % and % are on different datasets (% and %)', s.name, l.name, s.dataset_id, l.dataset_id;
    END IF;
    IF l.policy_parameters <= s.policy_parameters THEN
        RAISE EXCEPTION 'flops_matched_comparison: the large run % has % policy parameters, not more than the small run % (%)',
            l.name, l.policy_parameters, s.name, s.policy_parameters;
    END IF;
    IF ratios IS NULL OR cardinality(ratios) = 0 THEN RAISE EXCEPTION 'flops_matched_comparison: no R given'; END IF;
    RETURN QUERY
    WITH params AS (
        SELECT l.policy_parameters::double precision / s.policy_parameters AS m,
               coalesce(l.policy_pretraining_tokens::double precision / s.policy_pretraining_tokens, 1) AS p,
               (l.policy_pretraining_tokens IS NOT NULL AND s.policy_pretraining_tokens IS NOT NULL) AS known),
    small_curve AS (
        SELECT c.bin_kind, c.bin,
               array_agg(c.budget_n::double precision ORDER BY c.budget_n) AS budgets,
               array_agg(c.cv_accuracy ORDER BY c.budget_n) AS accuracies
        FROM pipeline.compute_optimal_cv c WHERE c.run_id = small_run
        GROUP BY c.bin_kind, c.bin),
    large_points AS (
        SELECT b.bin_kind, b.bin, o.budget_n, avg(o.is_correct::int)::double precision AS accuracy
        FROM pipeline.outcomes_per_problem o
        JOIN pipeline.problem_difficulty d ON d.run_id = small_run AND d.problem_id = o.problem_id
        CROSS JOIN LATERAL (VALUES ('oracle', d.oracle_bin), ('predicted', d.predicted_bin)) AS b(bin_kind, bin)
        WHERE o.run_id = large_run AND o.strategy_label = 'best_of_n'
          AND o.aggregator = 'weighted' AND o.step_aggregation = 'last'
        GROUP BY b.bin_kind, b.bin, o.budget_n),
    matched AS (
        SELECT r.ratio, params.m, params.p, params.known,
               pipeline.flops_matched_multiplier(params.m, params.p, r.ratio) AS mult
        FROM unnest(ratios) AS r(ratio) CROSS JOIN params),
    paired AS (
        SELECT x.ratio, x.m, x.p, x.known, x.mult, lp.bin_kind, lp.bin, lp.budget_n, lp.accuracy AS large_acc,
               x.mult * lp.budget_n AS small_b,
               least(x.mult * lp.budget_n, sc.budgets[cardinality(sc.budgets)]) AS small_used,
               x.mult * lp.budget_n > sc.budgets[cardinality(sc.budgets)] AS capped,
               sc.budgets, sc.accuracies
        FROM matched x
        CROSS JOIN large_points lp
        JOIN small_curve sc ON sc.bin_kind = lp.bin_kind AND sc.bin = lp.bin)
    SELECT r.ratio, r.m, r.p, r.known, r.mult, r.bin_kind, r.bin, r.budget_n, r.large_acc,
           r.small_b, r.small_used, a.acc, r.capped, a.acc - r.large_acc,
           CASE WHEN a.acc IS NULL THEN NULL
                WHEN abs(a.acc - r.large_acc) < 1e-12 THEN 'tie'
                WHEN a.acc > r.large_acc THEN 'small' ELSE 'large' END
    FROM paired r
    CROSS JOIN LATERAL (SELECT pipeline.accuracy_at_budget(r.budgets, r.accuracies, r.small_used) AS acc) a
    ORDER BY r.ratio, r.bin_kind, r.bin, r.budget_n;
END $$;

COMMENT ON FUNCTION pipeline.flops_matched_comparison(uuid, uuid, double precision[]) IS 'FLOPs-matched comparison of two runs of one dataset (small and large policy): per R, difficulty bin of the small run and large-run budget, the small run''s compute-optimal accuracy at the matched budget against the large run''s weighted best-of-N, and the winner.';
