using System.Text.Json;

namespace Pipeline.GpuBench;

/// <summary>prompts.json of scripts/gpu/export_qwen2.py: the same prompts as text (for the engine) and
/// as token ids (for the raw runner and the Python side).</summary>
public sealed record Prompts(string[] ParityText, int[][] Parity, string[] BenchText, int[][] Bench)
{
    public static Prompts Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"prompts file not found: {path}");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement Field(string f) => doc.RootElement.TryGetProperty(f, out var v) ? v
            : throw new InvalidDataException($"{path}: field '{f}' missing");
        int[][] Ids(string f) => Field(f).EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        string[] Texts(string f) => Field(f).EnumerateArray().Select(a => a.GetString()!).ToArray();
        return new Prompts(Texts("parity_text"), Ids("parity"), Texts("bench_text"), Ids("bench"));
    }

    // Index i >= 0 is bench prompt i; -1 - i is parity prompt i.
    public int[] IdsOf(int index) => index >= 0 ? Bench[index] : Parity[-1 - index];
    public string TextOf(int index) => index >= 0 ? BenchText[index] : ParityText[-1 - index];
}
