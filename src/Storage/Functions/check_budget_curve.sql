-- Shared by the curve functions: a curve's budgets are positive (log axis) and strictly ascending, one accuracy each.
CREATE FUNCTION pipeline.check_budget_curve(budgets double precision[], accuracies double precision[])
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF coalesce(array_length(budgets, 1), 0) <> coalesce(array_length(accuracies, 1), 0) THEN
        RAISE EXCEPTION 'budget curve: % budgets but % accuracies', coalesce(array_length(budgets, 1), 0), coalesce(array_length(accuracies, 1), 0);
    END IF;
    FOR i IN 1..coalesce(array_length(budgets, 1), 0) LOOP
        IF NOT budgets[i] > 0 THEN
            RAISE EXCEPTION 'budget curve point %: budget % must be > 0 (log axis)', i - 1, budgets[i];
        END IF;
        IF i > 1 AND NOT budgets[i] > budgets[i - 1] THEN
            RAISE EXCEPTION 'budget curve point %: budget % must be above the previous %', i - 1, budgets[i], budgets[i - 1];
        END IF;
    END LOOP;
END $$;

COMMENT ON FUNCTION pipeline.check_budget_curve(double precision[], double precision[]) IS 'Raises an error unless budgets are positive, strictly ascending and as many as accuracies.';
