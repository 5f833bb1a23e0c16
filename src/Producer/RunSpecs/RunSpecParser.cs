using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Contracts;
using Pipeline.Producer.Infrastructure;
using Pipeline.Search;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Producer.RunSpecs;

/// <summary>
/// Reads a run spec (YAML, or JSON, which YAML parsers accept) into a <see cref="RunSpec"/>. Walks the YAML
/// node tree by hand rather than deserializing, so every error names file:line:column and the field path
/// (e.g. <c>strategies[2].beam_width</c>), and unknown fields are refused instead of silently ignored.
/// Pure: reads no files (manifests are checked by <see cref="RunSpecLoader"/>).
/// </summary>
public static class RunSpecParser
{
    public static readonly SamplingSettings DefaultSampling = new(Temperature: 0.8, TopP: 1.0, MaxNewTokens: 256, MaxSteps: 40);

    public static RunSpec Parse(string text, string file)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e)
        {
            throw new InputException(new InputError(file, (int)e.Start.Line, null, $"not valid YAML/JSON: {ParserErrorText.Describe(e)}", (int)e.Start.Column));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way, with no position, on some unclosed [ or { at the end of a file
            throw new InputException(new InputError(file, 0, null, "not valid YAML/JSON: the parser stopped without saying where (an unclosed [ or {?)"));
        }
        if (stream.Documents.Count != 1)
            throw new InputException(new InputError(file, 1, null, $"expected one document, found {stream.Documents.Count}"));

        var w = new Walker(file);
        var root = w.Mapping(stream.Documents[0].RootNode, "(root)")!;
        w.OnlyKeys(root, "(root)", "name", "dataset", "problems", "models", "sampling", "seed", "strategies", "system_prompt", "difficulty_from");

        var name = w.RequiredString(root, "name");
        var dataset = w.RequiredString(root, "dataset");
        var problems = ParseProblems(w, root);
        var (policy, prm, revision) = ParseModels(w, root);
        var sampling = ParseSampling(w, root);
        var seed = w.OptionalLong(root, "seed") ?? 0;
        var systemPrompt = w.OptionalString(root, "system_prompt", "system_prompt");
        var strategies = ParseStrategies(w, root, sampling, revision is not null);
        var difficultyFrom = w.OptionalString(root, "difficulty_from", "difficulty_from") is { } run
            ? new RunReference(run, (int)w.Child(root, "difficulty_from")!.Start.Line) : null;

        w.ThrowIfAny();
        var json = LooksLikeJson(text) ? JsonNode.Parse(text)!.ToJsonString() : ToJson(stream.Documents[0].RootNode)!.ToJsonString();
        return new RunSpec(name!, dataset!, problems, policy!, prm!, revision, sampling, seed, strategies, json, systemPrompt, difficultyFrom);
    }

    private static ProblemFilter ParseProblems(Walker w, YamlMappingNode root)
    {
        if (w.Child(root, "problems") is not { } node) return new ProblemFilter();
        var m = w.Mapping(node, "problems");
        if (m is null) return new ProblemFilter();
        w.OnlyKeys(m, "problems", "levels", "per_level", "limit");
        var levels = w.OptionalIntList(m, "problems.levels", "levels", min: 0);
        var perLevel = w.OptionalInt(m, "problems.per_level", "per_level", min: 1);
        var limit = w.OptionalInt(m, "problems.limit", "limit", min: 1);
        return new ProblemFilter(levels, perLevel, limit);
    }

    private static (ModelPath?, ModelPath?, ModelPath?) ParseModels(Walker w, YamlMappingNode root)
    {
        if (w.Child(root, "models") is not { } node)
        {
            w.Add(root, "models", "missing (needs policy and prm manifest paths)");
            return (null, null, null);
        }
        var m = w.Mapping(node, "models");
        if (m is null) return (null, null, null);
        w.OnlyKeys(m, "models", "policy", "prm", "revision");
        ModelPath? Path(string key, bool required)
        {
            var s = required ? w.RequiredString(m, key, $"models.{key}") : w.OptionalString(m, key, $"models.{key}");
            return s is null ? null : new ModelPath(s, (int)w.Child(m, key)!.Start.Line);
        }
        return (Path("policy", true), Path("prm", true), Path("revision", false));
    }

    private static SamplingSettings ParseSampling(Walker w, YamlMappingNode root)
    {
        var d = DefaultSampling;
        if (w.Child(root, "sampling") is not { } node) return d;
        var m = w.Mapping(node, "sampling");
        if (m is null) return d;
        w.OnlyKeys(m, "sampling", "temperature", "top_p", "max_new_tokens", "max_steps");
        var temperature = w.OptionalDouble(m, "sampling.temperature", "temperature", 0, double.MaxValue) ?? d.Temperature;
        var topP = w.OptionalDouble(m, "sampling.top_p", "top_p", double.Epsilon, 1) ?? d.TopP;
        var maxNew = w.OptionalInt(m, "sampling.max_new_tokens", "max_new_tokens", min: 1) ?? d.MaxNewTokens;
        var maxSteps = w.OptionalInt(m, "sampling.max_steps", "max_steps", min: 1) ?? d.MaxSteps;
        return new SamplingSettings(temperature, topP, maxNew, maxSteps);
    }

    private static IReadOnlyList<PlannedStrategy> ParseStrategies(Walker w, YamlMappingNode root, SamplingSettings sampling, bool hasRevisionModel)
    {
        var planned = new List<PlannedStrategy>();
        if (w.Child(root, "strategies") is not { } node)
        {
            w.Add(root, "strategies", "missing (a list of { kind, budgets, ... })");
            return planned;
        }
        if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
        {
            w.Add(node, "strategies", "expected a non-empty list of strategies");
            return planned;
        }
        var seen = new Dictionary<(string, int), int>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var path = $"strategies[{i}]";
            var m = w.Mapping(seq.Children[i], path);
            if (m is null) continue;
            w.OnlyKeys(m, path, "kind", "budgets", "budget", "beam_width", "lookahead", "chain_length", "max_rounds", "filter_duplicates");
            var line = (int)m.Start.Line;
            var kind = ParseKind(w, m, path);
            var budgets = w.OptionalIntList(m, $"{path}.budgets", "budgets", min: 1);
            var single = w.OptionalInt(m, $"{path}.budget", "budget", min: 1);
            if (budgets is null && single is null) { w.Add(m, $"{path}.budgets", "missing (a list of budgets N, e.g. [16, 64])"); continue; }
            if (budgets is not null && single is not null) { w.Add(m, $"{path}.budget", "give either budget or budgets, not both"); continue; }
            int? width = null;
            if (w.Child(m, "beam_width") is { } bw)
            {
                if (bw is YamlScalarNode { Value: "sqrt" }) width = null;
                else width = w.OptionalInt(m, $"{path}.beam_width", "beam_width", min: 1, hint: "a whole number or sqrt");
            }
            else if (kind is StrategyKind.Beam or StrategyKind.Lookahead or StrategyKind.Dvts)
            {
                w.Add(m, $"{path}.beam_width", "missing (a whole number M, or sqrt)");
                continue;
            }
            var lookahead = w.OptionalInt(m, $"{path}.lookahead", "lookahead", min: 0) ?? 0;
            var chain = w.OptionalInt(m, $"{path}.chain_length", "chain_length", min: 1) ?? 0;
            var maxRounds = w.OptionalInt(m, $"{path}.max_rounds", "max_rounds", min: 1) ?? StrategyConfig.DefaultMaxRounds;
            var filterDuplicates = w.OptionalBool(m, $"{path}.filter_duplicates", "filter_duplicates") ?? false;
            if (kind is null) continue;
            if (kind == StrategyKind.Revisions && !hasRevisionModel)
                w.Add(m, $"{path}.kind", "revisions needs models.revision (a revision model manifest)");

            foreach (var budget in budgets ?? [single!.Value])
            {
                var config = new StrategyConfig(kind.Value, budget, width, lookahead, chain, maxRounds, sampling.Temperature, filterDuplicates);
                var problems = config.Validate();
                foreach (var p in problems) w.Add(m, path, p);
                if (problems.Count > 0) continue;
                if (seen.TryGetValue((config.Label, budget), out var firstLine))
                {
                    w.Add(m, path, $"{config.Label} with N={budget} is already listed on line {firstLine}");
                    continue;
                }
                seen[(config.Label, budget)] = line;
                planned.Add(new PlannedStrategy(config, line));
            }
        }
        return planned;
    }

    private static StrategyKind? ParseKind(Walker w, YamlMappingNode m, string path)
    {
        var text = w.RequiredString(m, "kind", $"{path}.kind");
        if (text is null) return null;
        if (StrategyKinds.TryParse(text, out var kind)) return kind;
        w.Add(w.Child(m, "kind")!, $"{path}.kind", $"unknown strategy '{text}' (one of {string.Join(", ", StrategyKinds.Names)})");
        return null;
    }

    private static bool LooksLikeJson(string text) => text.TrimStart().StartsWith('{');

    /// <summary>YAML to JSON for runs.spec_json: plain scalars that read as numbers, booleans or null keep that type.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } p => PlainScalar(p.Value),
        YamlScalarNode q => JsonValue.Create(q.Value),
        _ => null,
    };

    private static JsonNode? PlainScalar(string? v)
    {
        if (v is null or "null" or "~" or "") return null;
        if (v is "true" or "false") return JsonValue.Create(v == "true");
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    /// <summary>Typed access to YAML nodes that collects errors with positions instead of throwing at the first.</summary>
    private sealed class Walker(string file)
    {
        private readonly List<InputError> _errors = [];

        public void Add(YamlNode at, string field, string message) =>
            _errors.Add(new InputError(file, (int)at.Start.Line, field, message, (int)at.Start.Column));

        public void ThrowIfAny()
        {
            if (_errors.Count > 0) throw new InputException(_errors);
        }

        public YamlNode? Child(YamlMappingNode m, string key) =>
            m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

        public YamlMappingNode? Mapping(YamlNode node, string field)
        {
            if (node is YamlMappingNode m) return m;
            Add(node, field, "expected a mapping ({ key: value, ... })");
            if (field == "(root)") ThrowIfAny();
            return null;
        }

        public void OnlyKeys(YamlMappingNode m, string field, params string[] allowed)
        {
            foreach (var key in m.Children.Keys)
            {
                var k = (key as YamlScalarNode)?.Value ?? "";
                if (!allowed.Contains(k))
                    Add(key, field == "(root)" ? k : $"{field}.{k}", $"unknown field (allowed: {string.Join(", ", allowed)})");
            }
        }

        private YamlScalarNode? Scalar(YamlMappingNode m, string key, string field, string expected)
        {
            var node = Child(m, key);
            if (node is null) return null;
            if (node is YamlScalarNode s && !IsNull(s)) return s;
            if (node is YamlScalarNode) return null;
            Add(node, field, $"expected {expected}");
            return null;
        }

        private static bool IsNull(YamlScalarNode s) => s.Style == ScalarStyle.Plain && s.Value is null or "" or "null" or "~";

        public string? RequiredString(YamlMappingNode m, string key, string? field = null)
        {
            field ??= key;
            var node = Child(m, key);
            if (node is null) { Add(m, field, "missing"); return null; }
            var s = OptionalString(m, key, field);
            if (s is null && node is YamlScalarNode) Add(node, field, "must not be empty");
            return s;
        }

        public string? OptionalString(YamlMappingNode m, string key, string? field = null)
        {
            var s = Scalar(m, key, field ?? key, "a string");
            return string.IsNullOrWhiteSpace(s?.Value) ? null : s.Value;
        }

        public int? OptionalInt(YamlMappingNode m, string field, string key, int min, string? hint = null)
        {
            var s = Scalar(m, key, field, hint ?? "a whole number");
            if (s is null) return null;
            if (int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min) return n;
            Add(s, field, $"expected {hint ?? $"a whole number >= {min}"}, got '{s.Value}'");
            return null;
        }

        public bool? OptionalBool(YamlMappingNode m, string field, string key)
        {
            var s = Scalar(m, key, field, "true or false");
            if (s is null) return null;
            if (s.Value is "true" or "false") return s.Value == "true";
            Add(s, field, $"expected true or false, got '{s.Value}'");
            return null;
        }

        public long? OptionalLong(YamlMappingNode m, string key)
        {
            var s = Scalar(m, key, key, "a whole number");
            if (s is null) return null;
            if (long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
            Add(s, key, $"expected a whole number, got '{s.Value}'");
            return null;
        }

        public double? OptionalDouble(YamlMappingNode m, string field, string key, double min, double max)
        {
            var s = Scalar(m, key, field, "a number");
            if (s is null) return null;
            if (double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d >= min && d <= max)
                return d;
            var range = max == double.MaxValue ? $">= {min.ToString(CultureInfo.InvariantCulture)}" : $"in ({(min == double.Epsilon ? "0" : min.ToString(CultureInfo.InvariantCulture))}, {max.ToString(CultureInfo.InvariantCulture)}]";
            Add(s, field, $"expected a number {range}, got '{s.Value}'");
            return null;
        }

        public IReadOnlyList<int>? OptionalIntList(YamlMappingNode m, string field, string key, int min)
        {
            var node = Child(m, key);
            if (node is null || node is YamlScalarNode sn && IsNull(sn)) return null;
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Add(node, field, "expected a non-empty list of whole numbers, e.g. [1, 2]");
                return null;
            }
            var list = new List<int>();
            for (var i = 0; i < seq.Children.Count; i++)
            {
                var item = seq.Children[i];
                if (item is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min)
                {
                    if (list.Contains(n)) Add(item, $"{field}[{i}]", $"{n} is listed twice");
                    else list.Add(n);
                }
                else Add(item, $"{field}[{i}]", $"expected a whole number >= {min}, got '{(item as YamlScalarNode)?.Value ?? item.NodeType.ToString()}'");
            }
            return list;
        }
    }
}
