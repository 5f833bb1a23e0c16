-- Pipeline.Search.Analysis.ComputeMath.AccuracyAtBudget in SQL: a curve's accuracy at a budget, linear in
-- log(budget) between neighbours, NULL outside the curve (no extrapolation).
CREATE FUNCTION pipeline.accuracy_at_budget(budgets double precision[], accuracies double precision[], budget double precision)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    n int := coalesce(array_length(budgets, 1), 0);
    t double precision;
BEGIN
    PERFORM pipeline.check_budget_curve(budgets, accuracies);
    IF n = 0 OR budget IS NULL OR budget < budgets[1] OR budget > budgets[n] THEN RETURN NULL; END IF;
    FOR i IN 1..n LOOP
        IF budgets[i] = budget THEN RETURN accuracies[i]; END IF;
        IF budgets[i] > budget THEN
            t := (ln(budget) - ln(budgets[i - 1])) / (ln(budgets[i]) - ln(budgets[i - 1]));
            RETURN accuracies[i - 1] + t * (accuracies[i] - accuracies[i - 1]);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

COMMENT ON FUNCTION pipeline.accuracy_at_budget(double precision[], double precision[], double precision) IS 'Accuracy of the curve (budgets ascending, accuracies) at budget: linear in log(budget) between neighbours; NULL outside [first, last] budget.';
