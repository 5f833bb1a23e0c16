using System.Diagnostics;
using System.Text.Json.Nodes;
using Pipeline.Inference;

namespace Pipeline.GpuBench;

/// <summary>
/// Do the policy and the PRM overlap on one GPU (issue 17)? Each role runs its engine in a loop for
/// <see cref="GpuBenchOptions.OverlapSeconds"/>: the policy generating <c>NewTokens</c> tokens for the first of
/// <c>Batches</c> prompts per call, the PRM scoring the first of <c>PrmBatches</c> candidates of <c>PrmSteps</c> steps.
/// With both roles in this process it measures each alone, then both at once on two threads (one CUDA context);
/// with one role it measures that role only, so two processes started together (<c>OverlapStartAt</c>, a Unix time
/// both wait for after loading) show what two contexts do. The share of each role's alone rate that it keeps while
/// the other runs, summed, is 1 where the GPU only takes turns and up to 2 where the two run side by side.
/// </summary>
public static class OverlapBench
{
    public static JsonObject Run(GpuBenchOptions o, Func<InferenceOptions> engineOptions, Prompts prompts, TextWriter log)
    {
        var roles = o.OverlapRoles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (roles.Length == 0 || roles.Any(r => r is not ("policy" or "prm")))
            throw new ArgumentException($"GpuBench:OverlapRoles: policy, prm or both, got '{o.OverlapRoles}'");

        var loops = new List<(string Role, string Unit, Func<double> Once)>();
        var owners = new List<IDisposable>();
        try
        {
            if (roles.Contains("policy"))
            {
                var path = string.IsNullOrEmpty(o.SharedManifest) ? o.Manifest : o.SharedManifest;
                var engine = new EngineRunner(LanguageModel.Load(path, engineOptions()));
                owners.Add(engine);
                var texts = Enumerable.Range(0, o.ParseList(o.Batches)[0]).Select(prompts.TextOf).ToArray();
                loops.Add(("policy", "tokens", () => { engine.Generate(texts, o.NewTokens); return texts.Length * (double)o.NewTokens; }));
            }
            if (roles.Contains("prm"))
            {
                var prm = LanguageModel.Load(o.PrmManifest, engineOptions());
                owners.Add(prm);
                var problems = PrmBench.CutProblems(prm, prompts.BenchText, o.PrmProblemTokens);
                var inputs = PrmBench.Inputs(prm, problems, o.ParseList(o.PrmBatches)[0], o.PrmSteps, o.PrmStepTokens);
                var scorer = new PrmScorer(prm);
                loops.Add(("prm", "steps", () => { scorer.Score(inputs); return inputs.Count * (double)o.PrmSteps; }));
            }
            foreach (var l in loops) l.Once();   // warm-up: kernels, graphs, arenas

            if (o.OverlapStartAt > 0)
            {
                var wait = DateTimeOffset.FromUnixTimeSeconds(o.OverlapStartAt) - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero) Thread.Sleep(wait);
                else log.WriteLine($"overlap: loaded {-wait.TotalSeconds:F1} s after OverlapStartAt; the other process may have started alone");
            }

            var result = new JsonObject { ["roles"] = string.Join(",", roles), ["seconds"] = o.OverlapSeconds, ["pid"] = Environment.ProcessId };
            var alone = new Dictionary<string, double>();
            if (loops.Count == 2)
                foreach (var l in loops)
                {
                    alone[l.Role] = Loop(l.Once, o.OverlapSeconds);
                    log.WriteLine($"overlap: {l.Role} alone {alone[l.Role]:F0} {l.Unit}/s");
                    result[$"{l.Role}_alone_per_s"] = alone[l.Role];
                }
            // together (both threads in this process) or this role while whatever else runs on the GPU
            var rates = loops.Select(l => Task.Factory.StartNew(() => Loop(l.Once, o.OverlapSeconds), TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(rates);
            var kept = 0.0;
            for (int i = 0; i < loops.Count; i++)
            {
                var (role, unit, _) = loops[i];
                result[$"{role}_{(loops.Count == 2 ? "together" : "run")}_per_s"] = rates[i].Result;
                log.WriteLine($"overlap: {role} {(loops.Count == 2 ? "with the other role in this process" : "in this process")} {rates[i].Result:F0} {unit}/s"
                    + (alone.TryGetValue(role, out var a) ? $" ({rates[i].Result / a:P0} of alone)" : ""));
                if (alone.TryGetValue(role, out a)) kept += rates[i].Result / a;
            }
            if (loops.Count == 2)
            {
                result["kept_sum"] = kept;
                log.WriteLine($"overlap: shares kept sum to {kept:F2} (1 = the GPU takes turns, 2 = full overlap)");
            }
            return result;
        }
        finally
        {
            foreach (var d in owners) d.Dispose();
        }
    }

    /// <summary>Runs <paramref name="once"/> until <paramref name="seconds"/> have passed; its units per second.</summary>
    private static double Loop(Func<double> once, double seconds)
    {
        var sw = Stopwatch.StartNew();
        var units = 0.0;
        do units += once(); while (sw.Elapsed.TotalSeconds < seconds);
        return units / sw.Elapsed.TotalSeconds;
    }
}
