using System.Text.Json;

namespace Pipeline.GpuBench;

/// <summary>The manifest fields the benchmark needs (docs/model-format.md).</summary>
public sealed record BenchManifest(string Path, string OnnxPath, string Role, int NumLayers, int NumKvHeads,
    int HeadSize, int VocabSize, long ParameterCount, string Dtype, string? PrmOutput)
{
    public static BenchManifest Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"manifest not found: {path}");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        string Str(string f) => r.TryGetProperty(f, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()! : throw new InvalidDataException($"{path}: field '{f}' missing or not a string");
        long Num(string f) => r.TryGetProperty(f, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetInt64() : throw new InvalidDataException($"{path}: field '{f}' missing or not a number");
        string? prm = r.TryGetProperty("prm", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.GetProperty("output").GetString() : null;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        return new BenchManifest(path, System.IO.Path.Combine(dir, Str("onnx")), Str("role"), (int)Num("num_layers"),
            (int)Num("num_kv_heads"), (int)Num("head_size"), (int)Num("vocab_size"), Num("parameter_count"),
            Str("dtype"), prm);
    }

    /// <summary>Bytes of one token's K and V over all layers.</summary>
    public long KvBytesPerToken => 2L * NumLayers * NumKvHeads * HeadSize * (Dtype == "float16" ? 2 : 4);
    public long WeightBytes => ParameterCount * (Dtype == "float16" ? 2 : 4);
}
