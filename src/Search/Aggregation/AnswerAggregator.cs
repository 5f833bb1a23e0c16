namespace Pipeline.Search.Aggregation;

/// <summary>How one answer is chosen from a budget's candidates (definitions in docs/strategies.md).</summary>
public enum AnswerAggregator
{
    /// <summary>Best-of-N weighted: sum of candidate scores per distinct answer key, the largest sum wins.</summary>
    Weighted = 0,
    /// <summary>Most frequent answer key.</summary>
    Majority = 1,
    /// <summary>The single highest-scoring candidate.</summary>
    Naive = 2,
    /// <summary>pass@n oracle: correct when any candidate is.</summary>
    Pass = 3,
    /// <summary>Revisions: weighted within each chain, then weighted across the chains' winners.</summary>
    Hierarchical = 4,
}

public static class AnswerAggregators
{
    /// <summary>Every aggregator, in report order; the names are those of <c>outcomes.aggregator</c> and its check constraint.</summary>
    public static readonly IReadOnlyList<AnswerAggregator> All =
        [AnswerAggregator.Weighted, AnswerAggregator.Majority, AnswerAggregator.Naive, AnswerAggregator.Pass, AnswerAggregator.Hierarchical];

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();

    public static bool TryParse(string? name, out AnswerAggregator aggregator)
    {
        foreach (var a in All)
            if (a.Name() == name) { aggregator = a; return true; }
        aggregator = default;
        return false;
    }

    public static AnswerAggregator Parse(string name) =>
        TryParse(name, out var a) ? a : throw new FormatException($"'{name}' is not an answer aggregator (one of {string.Join(", ", Names)})");

    /// <summary>Lower-case name stored in result rows.</summary>
    public static string Name(this AnswerAggregator a) => a switch
    {
        AnswerAggregator.Weighted => "weighted",
        AnswerAggregator.Majority => "majority",
        AnswerAggregator.Naive => "naive",
        AnswerAggregator.Pass => "pass",
        AnswerAggregator.Hierarchical => "hierarchical",
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "unknown answer aggregator"),
    };

    /// <summary>Whether the choice depends on a step aggregation (the others are emitted once, with "none").</summary>
    public static bool UsesScores(this AnswerAggregator a) => a is AnswerAggregator.Weighted or AnswerAggregator.Naive or AnswerAggregator.Hierarchical;
}
