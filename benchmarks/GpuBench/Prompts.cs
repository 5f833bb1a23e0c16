using System.Text.Json;

namespace Pipeline.GpuBench;

/// <summary>prompts.json of scripts/gpu/export_qwen2.py: token-id prompts both sides share.</summary>
public sealed record Prompts(int[][] Parity, int[][] Bench)
{
    public static Prompts Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"prompts file not found: {path}");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        int[][] Read(string f) => doc.RootElement.TryGetProperty(f, out var v)
            ? v.EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray()
            : throw new InvalidDataException($"{path}: field '{f}' missing");
        return new Prompts(Read("parity"), Read("bench"));
    }
}
