using System.Globalization;

namespace Pipeline.Search;

/// <summary>The short display name of a strategy config stored with every search (<c>searches.strategy_label</c>)
/// to group results in reports and views. Display only: the config itself is read back from the typed
/// columns (strategy, beam_width, lookahead, chain_length, filter_duplicates), never parsed from the label.</summary>
public static class StrategyLabel
{
    public static string Format(StrategyConfig c)
    {
        var m = c.BeamWidth is { } w ? w.ToString(CultureInfo.InvariantCulture) : "sqrt";
        var kind = c.Kind.Name();
        // Part of the name because a spec may run a strategy with and without it side by side.
        var dedup = c.FilterDuplicates ? ",dedup" : "";
        return c.Kind switch
        {
            StrategyKind.BestOfN => kind,
            StrategyKind.Beam or StrategyKind.Dvts => $"{kind}(M={m}{dedup})",
            StrategyKind.Lookahead => $"{kind}(M={m},k={c.Lookahead}{dedup})",
            StrategyKind.Revisions => $"{kind}(L={c.ChainLength})",
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "unknown strategy kind"),
        };
    }
}
