namespace Pipeline.Search.Analysis;

/// <summary>One point of an accuracy-against-budget curve (budget in generations, tokens or FLOPs).</summary>
public readonly record struct CurvePoint(double Budget, double Accuracy);

/// <summary>How <see cref="ComputeMath.BudgetToReach"/> found its budget.</summary>
public enum BudgetMatch
{
    /// <summary>Between two points of the curve, on the log-budget axis.</summary>
    Interpolated,
    /// <summary>The curve's first point already reaches the target: the budget is an upper bound (no extrapolation below it).</summary>
    AtSmallest,
    /// <summary>No point reaches the target: no budget.</summary>
    NotReached,
}

/// <summary>The budget a curve needs for a target accuracy, and how it was found.</summary>
public readonly record struct BudgetToReach(double? Budget, BudgetMatch Match)
{
    /// <summary>The stored names (view <c>efficiency_vs_best_of_n</c>, column <c>match</c>).</summary>
    public string MatchName => Match switch
    {
        BudgetMatch.Interpolated => "interpolated",
        BudgetMatch.AtSmallest => "at_smallest",
        _ => "not_reached",
    };
}

/// <summary>One (chain length, aggregator, step aggregation) of sequential revisions at one bin and budget.</summary>
public readonly record struct RatioPoint(int ChainLength, string Aggregator, string StepAggregation, double Accuracy);
