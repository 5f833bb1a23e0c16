using System.Text.Json;

namespace Pipeline.Grading.Tests;

/// <summary>Reads the JSONL data sets of ../shared/data (found by <see cref="SharedDataFiles"/>).</summary>
internal static class SharedData
{
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
