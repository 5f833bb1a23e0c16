namespace Pipeline.Search;

/// <summary>The search strategies of Snell et al. (2024) and search-and-learn; see docs/strategies.md.</summary>
public enum StrategyKind
{
    BestOfN = 0,
    Beam = 1,
    Lookahead = 2,
    Dvts = 3,
    Revisions = 4,
}

/// <summary>The one list of strategy kinds and the names they go by in run specs, in <c>searches.strategy</c>
/// and in its check constraint.</summary>
public static class StrategyKinds
{
    public static readonly IReadOnlyList<StrategyKind> All =
        [StrategyKind.BestOfN, StrategyKind.Beam, StrategyKind.Lookahead, StrategyKind.Dvts, StrategyKind.Revisions];

    /// <summary>best_of_n, beam, lookahead, dvts, revisions.</summary>
    public static string Name(this StrategyKind kind) => kind switch
    {
        StrategyKind.BestOfN => "best_of_n",
        StrategyKind.Beam => "beam",
        StrategyKind.Lookahead => "lookahead",
        StrategyKind.Dvts => "dvts",
        StrategyKind.Revisions => "revisions",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown strategy kind"),
    };

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();

    public static bool TryParse(string? name, out StrategyKind kind)
    {
        foreach (var k in All)
            if (k.Name() == name) { kind = k; return true; }
        kind = default;
        return false;
    }

    /// <summary>The stored name back as a kind; an unknown name is a broken row, not bad input.</summary>
    public static StrategyKind Parse(string name) =>
        TryParse(name, out var kind) ? kind : throw new FormatException($"'{name}' is not a strategy kind (one of {string.Join(", ", Names)})");
}
