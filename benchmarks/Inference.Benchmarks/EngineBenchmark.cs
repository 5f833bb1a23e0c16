using System.Diagnostics;

namespace Pipeline.Inference.Benchmarks;

/// <summary>The engine's side of scripts/bench-engine.sh: the same workloads the PyTorch reference ran
/// (read from its results), timed the same way (one warm-up call, then the best of N runs of each).</summary>
internal sealed class EngineBenchmark(string modelsDir, ReferenceRun reference, int threads, int repeats)
{
    private InferenceOptions Options(bool sharing = true) => new() { Device = "cpu", IntraOpThreads = threads, PrefixSharing = sharing };

    public void Run(TextWriter output)
    {
        using var policy = LanguageModel.Load(Path.Combine(modelsDir, "policy.manifest.json"), Options());
        using var prm = LanguageModel.Load(Path.Combine(modelsDir, "prm.manifest.json"), Options());
        output.WriteLine($"engine benchmark: {policy.Manifest.Name} ({policy.Manifest.ParameterCount:N0} parameters), {policy.ExecutionProvider}, " +
                         $"{threads} threads, {reference.NewTokens} new tokens per row (EOS ignored), sampling at temperature 1");
        output.WriteLine($"reference: PyTorch {reference.TorchVersion}, {reference.Threads} threads, same weights (read from the ONNX files; max |diff| vs parity.json {reference.ParityMaxDiff:G2})");
        output.WriteLine();
        output.WriteLine($"{"batch",6} {"engine tok/s",14} {"torch tok/s",13} {"ratio",7}");
        var generator = new Generator(policy);
        Time(() => generator.Generate([Forced(reference.Prompts[0], 0, 8)]));   // warm-up: first-run allocations, thread pool
        foreach (var r in reference.Generation)
        {
            var requests = reference.Prompts.Take(r.Batch).Select((p, i) => Forced(p, i, reference.NewTokens)).ToList();
            var seconds = Best(() => generator.Generate(requests));
            var tps = r.Batch * (double)reference.NewTokens / seconds;
            var st = generator.LastStats!;
            output.WriteLine($"{r.Batch,6} {tps,14:F1} {r.TokensPerSecond,13:F1} {tps / r.TokensPerSecond,6:F2}x" +
                             $"   (last run: prefill {st.PrefillSeconds * 1000:F0} ms, decode model {st.DecodeModelSeconds * 1000:F0} ms over {st.DecodeSteps} steps, " +
                             $"cache copies {st.CacheCopySeconds * 1000:F0} ms, total {st.TotalSeconds * 1000:F0} ms)");
        }

        var scorer = new PrmScorer(prm);
        var candidates = reference.PrmCandidates.Select(c => new PrmInput(c.Problem, c.Steps)).ToList();
        var steps = candidates.Sum(c => c.Steps.Count);
        var prmSeconds = Best(() => scorer.Score(candidates));
        output.WriteLine();
        output.WriteLine($"PRM scoring, {candidates.Count} candidates, {steps} steps: engine {steps / prmSeconds:F1} steps/s, " +
                         $"torch {reference.Prm.StepsPerSecond:F1} steps/s, ratio {steps / prmSeconds / reference.Prm.StepsPerSecond:F2}x");

        using var unshared = LanguageModel.Load(Path.Combine(modelsDir, "policy.manifest.json"), Options(sharing: false));
        // Beam-search shape: a long prefix (problem + steps so far), one short step per sample.
        var longest = reference.PrmCandidates.MaxBy(c => c.Steps.Count)!;
        var prefix = PromptBuilder.Policy(policy.Manifest, longest.Problem, longest.Steps.Take(longest.Steps.Count - 1));
        var promptTokens = policy.EncodePrompt(prefix).Length;
        output.WriteLine();
        output.WriteLine($"prefix sharing, 64 samples of one prompt ({promptTokens} prompt tokens), best of 5 alternating runs:");
        foreach (var newTokens in new[] { 16, reference.NewTokens })
        {
            var request = new GenerationRequest(prefix, Samples: 64, Temperature: 1, Seed: 1, MaxNewTokens: newTokens, IgnoreStops: true);
            var unsharedGenerator = new Generator(unshared);
            unsharedGenerator.Generate([request with { MaxNewTokens = 2 }]);   // warm-up of the second session
            // C# only and cheap, so best of 5, shared and unshared alternating: the load of a shared
            // machine drifts, and alternating keeps both sides under the same drift.
            double on = double.MaxValue, off = double.MaxValue;
            for (var k = 0; k < Math.Max(5, repeats); k++)
            {
                on = Math.Min(on, Time(() => generator.Generate([request])));
                off = Math.Min(off, Time(() => unsharedGenerator.Generate([request])));
            }
            output.WriteLine($"  {newTokens,4} new tokens: shared {on * 1000,8:F0} ms, unshared {off * 1000,8:F0} ms, speedup {off / on:F2}x");
        }
    }

    private static GenerationRequest Forced(string prompt, int seed, int tokens) =>
        new(prompt, Samples: 1, Temperature: 1, Seed: seed, MaxNewTokens: tokens, IgnoreStops: true);

    private double Best(Action run)
    {
        return Enumerable.Range(0, repeats).Min(_ => Time(run));
    }

    private static double Time(Action run)
    {
        var sw = Stopwatch.StartNew();
        run();
        return sw.Elapsed.TotalSeconds;
    }
}
