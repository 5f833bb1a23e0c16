using System.Text.Json.Nodes;
using Pipeline.Inference;

namespace Pipeline.GpuBench;

/// <summary>GPU memory of a policy and a PRM served together by one process at one batch size: the
/// policy generates for MemoryBatch prompts while the PRM scores MemoryBatch candidates of a beam
/// round; device memory in use is read from the CUDA runtime after each, weights, caches and ONNX
/// Runtime's arenas included.</summary>
public static class MemoryBench
{
    public static JsonObject Run(GpuBenchOptions o, Func<InferenceOptions> engineOptions, Prompts prompts, TextWriter log)
    {
        var (free0, total) = CudaRuntime.MemoryInfo();
        using var policy = LanguageModel.Load(string.IsNullOrEmpty(o.SharedManifest) ? o.Manifest : o.SharedManifest, engineOptions());
        using var prm = LanguageModel.Load(o.PrmManifest, engineOptions());
        var (freeLoaded, _) = CudaRuntime.MemoryInfo();
        // Not disposed: the runner's Dispose would dispose the model, which `using` above already does.
        var engine = new EngineRunner(policy);
        var texts = Enumerable.Range(0, o.MemoryBatch).Select(i => prompts.BenchText[i % prompts.BenchText.Length]).ToArray();
        engine.Generate(texts, o.NewTokens);
        var (freePolicy, _) = CudaRuntime.MemoryInfo();
        var inputs = PrmRoundBench.Build(new PrmRoundBench.Case("memory", o.MemoryBatch / 16, 16, 4, 8), o.PrmRoundProblemTokens,
            o.PrmRoundStepTokens, prm.EosId, Math.Min(prm.Tokenizer.Vocabulary.Count, prm.Manifest.VocabSize), out _);
        new PrmScorer(prm).ScoreEncoded(inputs);
        var (freeBoth, _) = CudaRuntime.MemoryInfo();
        double Gib(long b) => Math.Round(b / (double)(1L << 30), 2);
        var row = new JsonObject
        {
            ["batch"] = o.MemoryBatch, ["new_tokens"] = o.NewTokens, ["total_gib"] = Gib(total),
            ["after_load_gib"] = Gib(free0 - freeLoaded), ["after_policy_gib"] = Gib(free0 - freePolicy),
            ["after_both_gib"] = Gib(free0 - freeBoth),
            ["policy"] = policy.Manifest.Name, ["prm"] = prm.Manifest.Name,
        };
        log.WriteLine($"memory: {row.ToJsonString()}");
        return row;
    }
}
