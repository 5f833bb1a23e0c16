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
