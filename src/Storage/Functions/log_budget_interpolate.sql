-- The same math as Pipeline.Search.Analysis.ComputeMath.BudgetToReach (a test checks they agree): the smallest
-- budget at which the curve reaches the target, linear in log(budget) at the first crossing.
CREATE FUNCTION pipeline.log_budget_interpolate(budgets double precision[], accuracies double precision[], target double precision)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    n int := coalesce(array_length(budgets, 1), 0);
    t double precision;
BEGIN
    PERFORM pipeline.check_budget_curve(budgets, accuracies);
    IF n = 0 OR target IS NULL THEN RETURN NULL; END IF;
    IF accuracies[1] >= target THEN RETURN budgets[1]; END IF;
    FOR i IN 2..n LOOP
        IF accuracies[i] = target THEN RETURN budgets[i]; END IF;
        IF accuracies[i] > target THEN
            t := (target - accuracies[i - 1]) / (accuracies[i] - accuracies[i - 1]);
            RETURN exp(ln(budgets[i - 1]) + t * (ln(budgets[i]) - ln(budgets[i - 1])));
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

COMMENT ON FUNCTION pipeline.log_budget_interpolate(double precision[], double precision[], double precision) IS 'Smallest budget at which the curve (budgets ascending, accuracies) reaches target: linear in log(budget) at the first crossing; the first budget when the first point reaches it; NULL when none does.';
