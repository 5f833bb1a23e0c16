using System.Text.Json;

namespace Pipeline.Grading.Tests;

/// <summary>Finds ../shared/data next to the repository (the folder holding Pipeline.sln), which CI clones may lack.</summary>
internal static class SharedData
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no Pipeline.sln above {AppContext.BaseDirectory}");
    }

    /// The data file's path; skips the calling test (with the path in the message) when it is absent.
    public static string RequireFile(string name)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data", name));
        Skip.IfNot(File.Exists(path), $"{path} is absent: the real-data check needs ../shared/data/{name} beside the repository");
        return path;
    }

    public static IEnumerable<(int line, JsonElement row)> ReadJsonl(string path)
    {
        var n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement row;
            try
            {
                row = JsonDocument.Parse(line).RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{n}: not valid JSON: {e.Message}");
            }
            yield return (n, row);
        }
    }

    public static string Field(this JsonElement row, string name, string path, int line) =>
        row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new InvalidDataException($"{path}:{line}: field \"{name}\" is missing or not a string");
}
