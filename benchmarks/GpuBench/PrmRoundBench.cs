using System.Diagnostics;
using System.Text.Json.Nodes;
using Pipeline.Inference;

namespace Pipeline.GpuBench;

/// <summary>PRM scoring as the pipeline asks for it: every step of every candidate of a round. A beam
/// search round at depth d has, per search, N candidates = N/M beams x M new steps, each beam with d
/// earlier steps after the problem; candidates of one search share the problem, those of one beam also
/// its earlier steps. Token ids are drawn at random (the speed does not depend on them) with the PRM's
/// step marker ending each step; the exact ids go to prm-inputs.json so that transformers' forward
/// (scripts/gpu/real_models.py bench --kind prm) runs the same sequences.</summary>
public static class PrmRoundBench
{
    /// <summary>A case: <paramref name="Searches"/> searches of <paramref name="Candidates"/> candidates
    /// in beams of <paramref name="Width"/>, <paramref name="Depth"/> earlier steps. Width = 1 means no
    /// sharing inside a search beyond the problem (best-of-N: each candidate has its own earlier steps), as
    /// does Width = Candidates at depth 0; Searches x 1 candidate at depth d is the plain full-sequence case.</summary>
    public sealed record Case(string Name, int Searches, int Candidates, int Width, int Depth);

    public static readonly Case[] Default =
    [
        new("full-64x8", 64, 1, 1, 7),          // the reference shape: 64 sequences of 8 steps, no sharing
        new("beam-n16-m4-d4", 1, 16, 4, 4),     // one search's round
        new("beam-16x-n16-m4-d4", 16, 16, 4, 4), // what a verifier batch of 16 searches holds
        new("beam-4x-n64-m4-d8", 4, 64, 4, 8),
    ];

    /// <summary>A case from <c>GpuBench:PrmRoundCase</c>: "searches,candidates,width,depth" (scripts/gpu/pipeline_summary.py
    /// derives it from a pipeline run, so the PRM baseline scores the tree the VerifierWorker scored).</summary>
    public static Case Parse(IReadOnlyList<int> v)
    {
        if (v.Count != 4 || v.Any(x => x < 0) || v[0] < 1 || v[1] < 1 || v[2] < 1 || v[1] % v[2] != 0)
            throw new ArgumentException($"GpuBench:PrmRoundCase '{string.Join(',', v)}': searches,candidates,width,depth with width dividing candidates");
        return new($"s{v[0]}-n{v[1]}-m{v[2]}-d{v[3]}", v[0], v[1], v[2], v[3]);
    }

    /// <param name="only">One case instead of <see cref="Default"/>; its inputs are not dumped (a run's shape can hold
    /// a thousand sequences, and transformers' check has the default cases).</param>
    public static JsonArray Run(LanguageModel prm, int problemTokens, int stepTokens, int reps, string outDir, TextWriter log, Case? only = null)
    {
        var scorer = new PrmScorer(prm);
        var marker = prm.Manifest.Prm?.SeparatorToken is { } sep ? prm.Tokenizer.TokenId(sep, prm.Manifest.ManifestPath, "prm.separator_token") : prm.EosId;
        var rows = new JsonArray();
        var dump = new JsonArray();
        foreach (var c in only is null ? Default : [only])
        {
            var inputs = Build(c, problemTokens, stepTokens, marker, Math.Min(prm.Tokenizer.Vocabulary.Count, prm.Manifest.VocabSize), out var previous);
            var steps = inputs.Sum(x => x.Markers.Length);
            // Each rep starts as the pipeline's round does: the cross-round cache (if on) holds what the previous round
            // kept, and only this round is timed; without the previous round every rep would find its own prefixes kept.
            var cache = prm.Manifest.PrmPrefixCache ? prm.PrefixPrm.Cache : null;
            void Previous()
            {
                cache?.Clear();
                if (cache is not null && previous.Count > 0) scorer.ScoreEncoded(previous);
            }
            Previous();
            scorer.ScoreEncoded(inputs);   // warm-up (kernels, arena, buffers)
            // what a shared-cache PRM's scorer has done so far (a plain PRM prefills every input whole and copies nothing)
            (long Prefilled, long Copied, long Calls) Totals() => prm.Manifest.PrmPrefixCache
                ? (prm.PrefixPrm.PrefilledTokens, prm.PrefixPrm.CopiedPositions, prm.PrefixPrm.CopyCalls)
                : (0, 0, 0);
            var secs = 0.0;
            long prefilledSum = 0, copiedSum = 0, callsSum = 0;
            for (var r = 0; r < reps; r++)
            {
                Previous();
                var before = Totals();
                var sw = Stopwatch.StartNew();
                scorer.ScoreEncoded(inputs);
                secs += sw.Elapsed.TotalSeconds / reps;
                var after = Totals();
                prefilledSum += prm.Manifest.PrmPrefixCache ? after.Prefilled - before.Prefilled : inputs.Sum(x => x.Ids.Length);
                copiedSum += after.Copied - before.Copied;
                callsSum += after.Calls - before.Calls;
            }
            var prefilled = prefilledSum / reps;
            // device copy traffic of one call: positions copied into pasts and kept prefixes x bytes a position
            var copiedGiB = prm.Manifest.PrmPrefixCache ? copiedSum / reps * (double)prm.PrefixPrm.PositionBytes / (1L << 30) : 0;
            var tokens = inputs.Sum(x => (long)x.Ids.Length);
            rows.Add(new JsonObject
            {
                ["runner"] = prm.Manifest.PrmPrefixCache ? "engine-prm-prefix" : "engine-prm", ["provider"] = prm.ExecutionProvider,
                ["case"] = c.Name, ["searches"] = c.Searches, ["candidates_per_search"] = c.Candidates, ["width"] = c.Width,
                ["depth"] = c.Depth, ["cross_round_cache"] = cache is not null, ["problem_tokens"] = problemTokens, ["step_tokens"] = stepTokens,
                ["candidates"] = inputs.Count, ["tokens"] = tokens, ["prefilled_tokens"] = prefilled,
                ["scored_steps"] = steps, ["seconds"] = secs, ["steps_per_s"] = steps / secs,
                ["copied_positions"] = copiedSum / reps, ["copied_gib"] = copiedGiB, ["copy_calls"] = callsSum / reps,
            });
            log.WriteLine($"prm-round {c.Name,-22} {inputs.Count,4} candidates, {tokens,7} tokens ({prefilled} prefilled): {steps / secs,9:F0} scored steps/s, {secs * 1000:F1} ms, {copiedGiB:F2} GiB copied in {callsSum / reps} calls");
            if (only is null) dump.Add(new JsonObject
            {
                ["name"] = c.Name, ["steps"] = steps,
                ["input_ids"] = new JsonArray(inputs.Select(x => (JsonNode)new JsonArray(x.Ids.Select(i => (JsonNode)i).ToArray())).ToArray()),
            });
        }
        if (only is null) File.WriteAllText(Path.Combine(outDir, "prm-inputs.json"), new JsonObject { ["cases"] = dump }.ToJsonString());
        return rows;
    }

    /// <param name="previous">The round before (depth - 1 earlier steps; empty at depth 0) from which each beam kept its
    /// last earlier step, so that a cross-round cache holds what it would hold in a search.</param>
    public static List<(int[] Ids, int[] Markers)> Build(Case c, int problemTokens, int stepTokens, int marker, int vocab,
        out List<(int[] Ids, int[] Markers)> previous)
    {
        var rng = new Random(7);
        int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(100, Math.Max(101, vocab - 100))).ToArray();
        int[] Step() => [.. Tokens(stepTokens - 1), marker];
        var inputs = new List<(int[] Ids, int[] Markers)>();
        var before = new List<(int[] Ids, int[] Markers)>();
        (int[], int[]) Input(int[] ids) => (ids, Enumerable.Range(0, ids.Length).Where(i => i >= problemTokens && ids[i] == marker).ToArray());
        for (var s = 0; s < c.Searches; s++)
        {
            var problem = Tokens(problemTokens);
            for (var b = 0; b < c.Candidates / c.Width; b++)
            {
                var earlier = Enumerable.Range(0, c.Depth).Select(_ => Step()).ToList();
                if (c.Depth > 0)
                {
                    var prefix = problem.Concat(earlier.SkipLast(1).SelectMany(x => x)).ToArray();
                    before.Add(Input([.. prefix, .. earlier[^1]]));
                    for (var k = 1; k < c.Width; k++) before.Add(Input([.. prefix, .. Step()]));
                }
                for (var k = 0; k < c.Width; k++)
                {
                    inputs.Add(Input(problem.Concat(earlier.SelectMany(x => x)).Concat(Step()).ToArray()));
                }
            }
        }
        previous = before;
        return inputs;
    }
}
