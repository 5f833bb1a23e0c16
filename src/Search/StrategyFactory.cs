namespace Pipeline.Search;

public static class StrategyFactory
{
    /// <summary>The strategy for a config; throws <see cref="ArgumentException"/> naming every problem of an invalid one.</summary>
    public static ISearchStrategy Create(StrategyConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.EnsureValid();
        return config.Kind switch
        {
            StrategyKind.BestOfN => new BestOfNStrategy(config),
            StrategyKind.Beam or StrategyKind.Lookahead => new BeamSearchStrategy(config),
            StrategyKind.Dvts => new DvtsStrategy(config),
            StrategyKind.Revisions => new RevisionsStrategy(config),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, $"{config.Label}: unknown strategy kind"),
        };
    }
}
