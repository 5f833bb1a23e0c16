namespace Pipeline.Search.Aggregation;

/// <summary>How a candidate's per-step PRM scores become one score.</summary>
public enum StepAggregation
{
    /// <summary>The aggregator does not look at scores (majority, pass).</summary>
    None = 0,
    /// <summary>The last step's score: the paper's default (the PRM's estimate that the whole solution is right).</summary>
    Last = 1,
    Min = 2,
    Prod = 3,
    Mean = 4,
}

public static class StepAggregations
{
    /// <summary>The ones that read scores, in the order results are emitted.</summary>
    public static readonly IReadOnlyList<StepAggregation> Scored = [StepAggregation.Last, StepAggregation.Min, StepAggregation.Prod, StepAggregation.Mean];

    /// <summary>Every step aggregation; the names are those of <c>outcomes.step_aggregation</c> and its check constraint.</summary>
    public static readonly IReadOnlyList<StepAggregation> All = [StepAggregation.Last, StepAggregation.Min, StepAggregation.Prod, StepAggregation.Mean, StepAggregation.None];

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();

    public static bool TryParse(string? name, out StepAggregation aggregation)
    {
        foreach (var s in All)
            if (s.Name() == name) { aggregation = s; return true; }
        aggregation = default;
        return false;
    }

    public static StepAggregation Parse(string name) =>
        TryParse(name, out var s) ? s : throw new FormatException($"'{name}' is not a step aggregation (one of {string.Join(", ", Names)})");

    /// <summary>Lower-case name stored in result rows: none, last, min, prod, mean.</summary>
    public static string Name(this StepAggregation s) => s switch
    {
        StepAggregation.None => "none",
        StepAggregation.Last => "last",
        StepAggregation.Min => "min",
        StepAggregation.Prod => "prod",
        StepAggregation.Mean => "mean",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, "unknown step aggregation"),
    };

    public static double Apply(this StepAggregation s, IReadOnlyList<double> stepScores)
    {
        ArgumentNullException.ThrowIfNull(stepScores);
        if (stepScores.Count == 0) throw new ArgumentException("a candidate without steps has no score", nameof(stepScores));
        return s switch
        {
            StepAggregation.Last => stepScores[^1],
            StepAggregation.Min => stepScores.Min(),
            StepAggregation.Prod => stepScores.Aggregate(1.0, (a, b) => a * b),
            StepAggregation.Mean => stepScores.Average(),
            _ => throw new ArgumentException($"step aggregation '{s.Name()}' gives no score", nameof(s)),
        };
    }
}
