using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Search;

/// <summary>Formats and parses the short strategy names stored with every result row.</summary>
public static partial class StrategyLabel
{
    public static string Format(StrategyConfig c)
    {
        var m = c.BeamWidth is { } w ? w.ToString(CultureInfo.InvariantCulture) : "sqrt";
        return c.Kind switch
        {
            StrategyKind.BestOfN => "best_of_n",
            StrategyKind.Beam => $"beam(M={m})",
            StrategyKind.Lookahead => $"lookahead(M={m},k={c.Lookahead})",
            StrategyKind.Dvts => $"dvts(M={m})",
            StrategyKind.Revisions => $"revisions(L={c.ChainLength})",
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "unknown strategy kind"),
        };
    }

    /// <summary>Parses a label made by <see cref="Format"/> (spaces and letter case ignored); budget 1 until set.</summary>
    public static StrategyConfig Parse(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var text = label.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        if (text is "best_of_n" or "bestofn" or "best-of-n") return new StrategyConfig(StrategyKind.BestOfN, 1);

        var match = LabelPattern().Match(text);
        if (!match.Success)
            throw new FormatException($"strategy label '{label}' is not one of best_of_n, beam(M=4|sqrt), lookahead(M=4|sqrt,k=1), dvts(M=4|sqrt), revisions(L=4)");
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in match.Groups["args"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=');
            if (kv.Length != 2 || kv[0].Length == 0 || !args.TryAdd(kv[0], kv[1]))
                throw new FormatException($"strategy label '{label}': argument '{part}' is not name=value, or is repeated");
        }

        var kind = match.Groups["kind"].Value switch
        {
            "beam" => StrategyKind.Beam,
            "lookahead" => StrategyKind.Lookahead,
            "dvts" => StrategyKind.Dvts,
            "revisions" => StrategyKind.Revisions,
            var other => throw new FormatException($"strategy label '{label}': unknown strategy '{other}'"),
        };
        string[] allowed = kind switch
        {
            StrategyKind.Lookahead => ["m", "k"],
            StrategyKind.Revisions => ["l"],
            _ => ["m"],
        };
        foreach (var name in args.Keys)
            if (!allowed.Contains(name))
                throw new FormatException($"strategy label '{label}': unknown argument '{Display(name)}' (allowed: {string.Join(", ", allowed.Select(Display))})");
        foreach (var name in allowed)
            if (!args.ContainsKey(name))
                throw new FormatException($"strategy label '{label}': missing argument '{Display(name)}'");

        return kind switch
        {
            StrategyKind.Revisions => new StrategyConfig(kind, 1, ChainLength: Int(label, "L", args["l"])),
            StrategyKind.Lookahead => new StrategyConfig(kind, 1, Width(label, args["m"]), Int(label, "k", args["k"])),
            _ => new StrategyConfig(kind, 1, Width(label, args["m"])),
        };
    }

    // Labels write M and L upper case, k lower case (the paper's notation); parsing is case-blind.
    private static string Display(string name) => name == "k" ? "k" : name.ToUpperInvariant();

    private static int? Width(string label, string value) => value == "sqrt" ? null : Int(label, "M", value);

    private static int Int(string label, string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"strategy label '{label}': {name}='{value}' is not a non-negative whole number");

    [GeneratedRegex(@"^(?<kind>[a-z_]+)\((?<args>[^()]*)\)$")]
    private static partial Regex LabelPattern();
}
