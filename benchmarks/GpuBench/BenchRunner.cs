using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Inference;

namespace Pipeline.GpuBench;

/// <summary>Runs the modes and runners the options ask for and writes JSON files into Out:
/// parity-{runner}.json (greedy tokens), bench.json (tokens/s rows of every runner), prm.json.</summary>
public static class BenchRunner
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <param name="engineOptions">Binds the engine's options afresh (from configuration) for each runner.</param>
    public static Task<int> RunAsync(GpuBenchOptions o, Func<InferenceOptions> engineOptions, TextWriter log)
    {
        if (string.IsNullOrEmpty(o.Manifest)) throw new ArgumentException("GpuBench:Manifest is required");
        if (string.IsNullOrEmpty(o.Prompts)) throw new ArgumentException("GpuBench:Prompts is required");
        Directory.CreateDirectory(o.Out);
        var manifest = BenchManifest.Load(o.Manifest);
        var prompts = Prompts.Load(o.Prompts);
        var benchRows = new JsonArray();
        log.WriteLine($"model {manifest.OnnxPath} ({manifest.Dtype}), {manifest.ParameterCount / 1e6:F1}M parameters");

        foreach (var runner in o.Runners.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Func<IReadOnlyList<int>, int, (int[][] Tokens, GenerationTiming Timing)> generate;
            Func<IReadOnlyList<int>, int, (int[][] Tokens, GenerationTiming Timing)>? sampled = null;
            IDisposable owner;
            string provider;
            if (runner is "engine" or "engine-shared" or "engine-shared-nographs")
            {
                var path = runner == "engine" ? o.Manifest : o.SharedManifest;
                if (string.IsNullOrEmpty(path)) throw new ArgumentException($"runner {runner} needs GpuBench:SharedManifest");
                var options = engineOptions();
                if (runner == "engine-shared-nographs") options.CudaGraphs = false;
                var engine = new EngineRunner(LanguageModel.Load(path, options));
                engine.CheckEncoding(prompts.ParityText, prompts.Parity);
                engine.CheckEncoding(prompts.BenchText, prompts.Bench);
                (owner, provider) = (engine, engine.Provider);
                Func<IReadOnlyList<int>, int, (int[][] Tokens, GenerationTiming Timing)> Timed(double temperature) => (rows, n) =>
                {
                    var texts = rows.Select(i => prompts.TextOf(i)).ToArray();
                    var (tokens, secs) = engine.Generate(texts, n, temperature);
                    // Prefill (+1 token) timed apart so the steady decode rate can be told from it.
                    var (_, prefill) = n > 1 ? engine.Generate(texts, 1, temperature) : (tokens, secs);
                    return (tokens, new GenerationTiming(rows.Count, prompts.IdsOf(rows[0]).Length, n, secs, prefill));
                };
                generate = Timed(0);
                if (o.SampleTemperature > 0) sampled = Timed(o.SampleTemperature);
            }
            else if (runner == "raw")
            {
                var raw = new OrtGreedyDecoder(manifest, o.Provider, o.DeviceId);
                (owner, provider) = (raw, raw.Provider);
                generate = (rows, n) => raw.Generate(rows.Select(prompts.IdsOf).ToArray(), n);
            }
            else throw new ArgumentException($"GpuBench:Runners: '{runner}' is not engine, engine-shared, engine-shared-nographs or raw");

            using (owner)
            {
                log.WriteLine($"runner {runner}: provider {provider}");
                if (o.Has("parity"))
                {
                    var (tokens, t) = generate(Enumerable.Range(0, prompts.Parity.Length).Select(i => -1 - i).ToArray(), o.ParityNewTokens);
                    var json = new JsonObject
                    {
                        ["runner"] = runner, ["provider"] = provider, ["new_tokens"] = o.ParityNewTokens,
                        ["tokens"] = JsonSerializer.SerializeToNode(tokens),
                    };
                    File.WriteAllText(Path.Combine(o.Out, $"parity-{runner}.json"), json.ToJsonString(Indented));
                    log.WriteLine($"parity {runner}: {tokens.Length} prompts x {o.ParityNewTokens} tokens in {t.Seconds:F2}s");
                }
                var benchRuns = o.Has("bench") ? new[] { (runner, generate), ($"{runner}-t{o.SampleTemperature:0.##}", sampled) } : [];
                foreach (var (label, run) in benchRuns)
                {
                    if (run is null) continue;
                    foreach (int batch in o.ParseList(o.Batches))
                    {
                        if (batch > prompts.Bench.Length) throw new ArgumentException($"batch {batch} > {prompts.Bench.Length} bench prompts");
                        var rows = Enumerable.Range(0, batch).ToArray();
                        if (o.WarmupTokens > 0) run(rows, o.WarmupTokens);
                        var (_, t) = run(rows, o.NewTokens);
                        benchRows.Add(new JsonObject
                        {
                            ["runner"] = label, ["provider"] = provider, ["batch"] = batch, ["prompt_tokens"] = t.PromptTokens,
                            ["new_tokens"] = t.NewTokens, ["seconds"] = t.Seconds, ["prefill_seconds"] = t.PrefillSeconds,
                            ["tokens_per_s"] = t.TokensPerSecond, ["decode_tokens_per_s"] = t.DecodeTokensPerSecond,
                        });
                        log.WriteLine($"bench {label} batch {batch,4}: {t.TokensPerSecond,9:F0} tok/s overall, {t.DecodeTokensPerSecond,9:F0} tok/s decode, prefill {t.PrefillSeconds * 1000:F1} ms, total {t.Seconds:F2}s");
                        File.WriteAllText(Path.Combine(o.Out, "bench.json"), new JsonObject
                        {
                            ["dtype"] = manifest.Dtype, ["weight_bytes"] = manifest.WeightBytes,
                            ["kv_bytes_per_token"] = manifest.KvBytesPerToken, ["rows"] = benchRows.DeepClone(),
                        }.ToJsonString(Indented));
                    }
                }
            }
        }

        if (o.Has("prm"))
        {
            using var prm = LanguageModel.Load(o.PrmManifest, engineOptions());
            var rows = new JsonArray();
            foreach (var (batch, tokens, secs, sps) in PrmBench.Run(prm, prompts.BenchText, o.ParseList(o.PrmBatches), o.PrmSteps, o.PrmStepTokens, o.PrmProblemTokens))
            {
                rows.Add(new JsonObject
                {
                    ["runner"] = "engine-prm", ["provider"] = prm.ExecutionProvider, ["batch"] = batch, ["tokens"] = tokens,
                    ["steps_per_solution"] = o.PrmSteps, ["seconds"] = secs, ["steps_per_s"] = sps,
                });
                log.WriteLine($"prm batch {batch,4}: {sps,9:F0} scored steps/s ({tokens} tokens a candidate, {secs * 1000:F1} ms a call)");
            }
            File.WriteAllText(Path.Combine(o.Out, "prm.json"), new JsonObject { ["rows"] = rows }.ToJsonString(Indented));
        }
        if (o.Has("prm-round"))
        {
            using var prm = LanguageModel.Load(o.PrmManifest, engineOptions());
            var only = string.IsNullOrEmpty(o.PrmRoundCase) ? null : PrmRoundBench.Parse(o.ParseList(o.PrmRoundCase));
            var rows = PrmRoundBench.Run(prm, o.PrmRoundProblemTokens, o.PrmRoundStepTokens, o.PrmRoundReps, o.Out, log, only);
            File.WriteAllText(Path.Combine(o.Out, "prm-round.json"), new JsonObject { ["rows"] = rows }.ToJsonString(Indented));
        }

        if (o.Has("overlap"))
        {
            var row = OverlapBench.Run(o, engineOptions, prompts, log);
            File.WriteAllText(Path.Combine(o.Out, $"overlap-{o.OverlapRoles.Replace(',', '-')}.json"), row.ToJsonString(Indented));
        }

        if (o.Has("memory"))
        {
            var row = MemoryBench.Run(o, engineOptions, prompts, log);
            File.WriteAllText(Path.Combine(o.Out, "memory.json"), row.ToJsonString(Indented));
        }
        return Task.FromResult(0);
    }
}
