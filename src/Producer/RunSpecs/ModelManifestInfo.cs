using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Producer.Infrastructure;

namespace Pipeline.Producer.RunSpecs;

/// <summary>The few manifest fields a run records (docs/model-format.md), and the files the manifest names, so
/// that a missing ONNX graph or tokenizer is refused at submit rather than by every worker that picks the run
/// up. The engine (Pipeline.Inference.ModelManifest) checks the rest when it loads the model; the CLI does not
/// reference it, since it would bring ONNX Runtime's native libraries along.</summary>
public sealed record ModelManifestInfo(string Path, string Name, string Role, long ParameterCount)
{
    /// <summary>Manifest fields that name files, relative to the manifest's folder.</summary>
    private static readonly string[][] FileFields = [["onnx"], ["tokenizer", "vocab"], ["tokenizer", "merges"], ["tokenizer", "file"]];

    /// <param name="expectedRole">policy, prm or revision; a manifest of another role is refused.</param>
    public static ModelManifestInfo Read(string path, string expectedRole)
    {
        var text = InputFiles.ReadAllText(path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e)
        {
            throw new InputException(new InputError(path, (int)(e.LineNumber ?? 0) + 1, null, $"not valid JSON ({ParserErrorText.Describe(e)})",
                e.BytePositionInLine is { } b ? (int)b + 1 : 0));
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputException(new InputError(path, 1, null, "a manifest is one JSON object"));
            InputException Error(string field, string message) => new(new InputError(path, LineOf(text, field), field, message));
            string Str(string field) =>
                root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0
                    ? v.GetString()!
                    : throw Error(field, "missing or not a non-empty string");
            var name = Str("name");
            var role = Str("role");
            if (role != expectedRole)
                throw Error("role", $"is '{role}', but the spec uses it as the {expectedRole} model");
            if (!root.TryGetProperty("parameter_count", out var pc) || pc.ValueKind != JsonValueKind.Number || !pc.TryGetInt64(out var count) || count <= 0)
                throw Error("parameter_count", "missing or not a positive whole number (needed for FLOPs)");
            Str("onnx");
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            var missing = new List<InputError>();
            foreach (var fieldPath in FileFields)
            {
                if (Lookup(root, fieldPath) is not { ValueKind: JsonValueKind.String } v || v.GetString() is not { Length: > 0 } relative) continue;
                var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, relative));
                if (InputFiles.Problem(full) is { } problem)
                    missing.Add(new InputError(path, LineOf(text, fieldPath[^1]), string.Join('.', fieldPath), $"{full}: {problem}"));
            }
            if (missing.Count > 0) throw new InputException(missing);
            return new ModelManifestInfo(path, name, role, count);
        }
    }

    private static JsonElement? Lookup(JsonElement root, string[] fieldPath)
    {
        var e = root;
        foreach (var key in fieldPath)
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out e)) return null;
        return e;
    }

    // System.Text.Json keeps no positions after parsing: the line of the key in the raw text (1 when absent).
    private static int LineOf(string text, string key)
    {
        var match = Regex.Match(text, "\"" + Regex.Escape(key) + "\"\\s*:");
        return match.Success ? text.AsSpan(0, match.Index).Count('\n') + 1 : 1;
    }
}
