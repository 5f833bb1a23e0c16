using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.GpuBench;

/// <summary>Runs the modes the options ask for and writes one JSON file per mode into Out.</summary>
public static class BenchRunner
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Task<int> RunAsync(GpuBenchOptions o, TextWriter log)
    {
        if (string.IsNullOrEmpty(o.Manifest)) throw new ArgumentException("GpuBench:Manifest is required");
        if (string.IsNullOrEmpty(o.Prompts)) throw new ArgumentException("GpuBench:Prompts is required");
        Directory.CreateDirectory(o.Out);
        var manifest = BenchManifest.Load(o.Manifest);
        var prompts = Prompts.Load(o.Prompts);
        using var decoder = new OrtGreedyDecoder(manifest, o.Provider, o.DeviceId);
        log.WriteLine($"model {manifest.OnnxPath} ({manifest.Dtype}), provider {decoder.Provider}");

        if (o.Has("parity"))
        {
            var (tokens, t) = decoder.Generate(prompts.Parity, o.ParityNewTokens);
            var json = new JsonObject
            {
                ["runner"] = "ort-iobinding", ["provider"] = o.Provider, ["new_tokens"] = o.ParityNewTokens,
                ["tokens"] = JsonSerializer.SerializeToNode(tokens),
            };
            File.WriteAllText(Path.Combine(o.Out, "parity.json"), json.ToJsonString(Indented));
            log.WriteLine($"parity: {tokens.Length} prompts x {o.ParityNewTokens} tokens in {t.Seconds:F2}s");
        }
        if (o.Has("bench"))
        {
            var rows = new JsonArray();
            foreach (int batch in o.ParseList(o.Batches))
            {
                if (batch > prompts.Bench.Length) throw new ArgumentException($"batch {batch} > {prompts.Bench.Length} bench prompts");
                var batchPrompts = prompts.Bench.Take(batch).Select(p => p.Take(o.PromptTokens).ToArray()).ToArray();
                if (o.WarmupTokens > 0) decoder.Generate(batchPrompts, o.WarmupTokens);
                var (_, t) = decoder.Generate(batchPrompts, o.NewTokens);
                rows.Add(new JsonObject
                {
                    ["runner"] = "ort-iobinding", ["batch"] = batch, ["prompt_tokens"] = t.PromptTokens,
                    ["new_tokens"] = t.NewTokens, ["seconds"] = t.Seconds, ["prefill_seconds"] = t.PrefillSeconds,
                    ["tokens_per_s"] = t.TokensPerSecond, ["decode_tokens_per_s"] = t.DecodeTokensPerSecond,
                });
                log.WriteLine($"bench batch {batch,4}: {t.TokensPerSecond,10:F0} tok/s overall, {t.DecodeTokensPerSecond,10:F0} tok/s decode, prefill {t.PrefillSeconds * 1000:F1} ms, total {t.Seconds:F2}s");
            }
            var json = new JsonObject
            {
                ["provider"] = o.Provider, ["dtype"] = manifest.Dtype, ["weight_bytes"] = manifest.WeightBytes,
                ["kv_bytes_per_token"] = manifest.KvBytesPerToken, ["rows"] = rows,
            };
            File.WriteAllText(Path.Combine(o.Out, "bench.json"), json.ToJsonString(Indented));
        }
        return Task.FromResult(0);
    }
}
