using System.Text.Json;
using Pipeline.Producer.Infrastructure;

namespace Pipeline.Producer.RunSpecs;

/// <summary>The few manifest fields a run records (docs/model-format.md); the engine validates the rest when it loads the model.</summary>
public sealed record ModelManifestInfo(string Path, string Name, string Role, long ParameterCount)
{
    /// <param name="expectedRole">policy, prm or revision; a manifest of another role is refused.</param>
    public static ModelManifestInfo Read(string path, string expectedRole)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InputException(new InputError(path, (int)(e.LineNumber ?? -1) + 1, null, $"not valid JSON ({e.Message})")); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputException(new InputError(path, 1, null, "a manifest is one JSON object"));
            string Str(string field) =>
                root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0
                    ? v.GetString()!
                    : throw new InputException(new InputError(path, 0, field, "missing or not a non-empty string"));
            var name = Str("name");
            var role = Str("role");
            if (role != expectedRole)
                throw new InputException(new InputError(path, 0, "role", $"is '{role}', but the spec uses it as the {expectedRole} model"));
            if (!root.TryGetProperty("parameter_count", out var pc) || pc.ValueKind != JsonValueKind.Number || !pc.TryGetInt64(out var count) || count <= 0)
                throw new InputException(new InputError(path, 0, "parameter_count", "missing or not a positive whole number (needed for FLOPs)"));
            return new ModelManifestInfo(path, name, role, count);
        }
    }
}
