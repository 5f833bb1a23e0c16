using System.Text.Json;

namespace Pipeline.Grading.Benchmarks;

/// <summary>The gold/pred pairs of the grader's test corpora, answers already extracted (extraction is not what is timed).</summary>
internal static class CorpusPairs
{
    public static List<(string Gold, string Pred)> Load(string directory, IAnswerGrader grader)
    {
        var pairs = new List<(string, string)>();
        foreach (var file in Directory.GetFiles(directory, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var n = 0;
            foreach (var line in File.ReadLines(file))
            {
                n++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                var row = JsonDocument.Parse(line).RootElement;
                string Field(string name) => row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()! : throw new InvalidDataException($"{file}:{n}: field \"{name}\" is missing or not a string");
                var gold = Field("gold");
                var pred = Field("pred");
                pairs.Add((grader.ExtractAnswer(gold) ?? gold, grader.ExtractAnswer(pred) ?? pred));
            }
        }
        return pairs;
    }
}
