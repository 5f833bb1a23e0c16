namespace Pipeline.Inference.Tests.Prm;

/// <summary>A shared-cache PRM keeping the round's prefixes for the next one (<see cref="PrmPrefixCache"/>): a beam
/// search's rounds scored one call after another give the plain graph's scores while prefilling only the new
/// steps, on CPU.</summary>
public class PrmCacheAcrossRoundsTests
{
    private static readonly InferenceOptions Cpu = new() { Device = "cpu", IntraOpThreads = 2 };

    // Beam search over two problems: each round every beam gets `width` new steps; the next round's beams are the
    // candidates `keep` picks (by index within the problem).
    // With `header`, every problem starts with the same 30 tokens (a chat template's) and the first two also share their
    // first 3 words, a run too short to be a node of its own (PrefixTree's minSegment).
    private sealed class Search(int seed, int problems = 2, int beams = 3, int width = 4, bool header = false)
    {
        private readonly Random _rng = new(seed);
        private readonly int[] _header = Enumerable.Range(900, 30).ToArray();
        private readonly List<(int[] Problem, List<List<int[]>> Beams)> _state = [];

        public int Width => width;

        private int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => _rng.Next(800)).ToArray();

        public List<(int[] Ids, int[] Markers)> Round(out List<(int Problem, List<int[]> Steps)> candidates)
        {
            if (_state.Count == 0)
                for (var p = 0; p < problems; p++)
                    _state.Add((header ? [.. _header, .. p < 2 ? new[] { 7, 8, 9 } : [4, 5, 6], .. Tokens(40 + p)] : Tokens(40 + p),
                        Enumerable.Range(0, beams).Select(_ => new List<int[]>()).ToList()));
            candidates = [];
            var inputs = new List<(int[] Ids, int[] Markers)>();
            for (var p = 0; p < _state.Count; p++)
                foreach (var beam in _state[p].Beams)
                    for (var c = 0; c < width; c++)
                    {
                        var steps = beam.Append(Tokens(_rng.Next(16, 24))).ToList();
                        candidates.Add((p, steps));
                        var ids = _state[p].Problem.Concat(steps.SelectMany(s => s)).ToArray();
                        var markers = new List<int>();
                        var at = _state[p].Problem.Length;
                        foreach (var s in steps) markers.Add((at += s.Length) - 1);
                        inputs.Add((ids, markers.ToArray()));
                    }
            return inputs;
        }

        public void Keep(List<(int Problem, List<int[]> Steps)> candidates, Func<int, int[]> pick)
        {
            for (var p = 0; p < _state.Count; p++)
            {
                var mine = candidates.Where(c => c.Problem == p).ToList();
                _state[p].Beams.Clear();
                foreach (var i in pick(mine.Count)) _state[p].Beams.Add(mine[i].Steps);
            }
        }
    }

    private static void AssertClose(IReadOnlyList<IReadOnlyList<double>> want, IReadOnlyList<IReadOnlyList<double>> got, string what)
    {
        Assert.Equal(want.Count, got.Count);
        for (var i = 0; i < want.Count; i++)
        {
            Assert.Equal(want[i].Count, got[i].Count);
            for (var k = 0; k < want[i].Count; k++)
                Assert.True(Math.Abs(want[i][k] - got[i][k]) < 1e-4, $"{what}, input {i} step {k}: plain {want[i][k]:F6}, cached {got[i][k]:F6}");
        }
    }

    [Theory]
    [InlineData("qwen-prm", false, 16384)]
    [InlineData("skywork-prm", false, 16384)]
    [InlineData("qwen-prm", true, 16384)]
    // chunks of a few rows: pasts of kept segments of different depths, left-padded side by side in one run
    [InlineData("qwen-prm", true, 400)]
    public void Later_rounds_prefill_only_the_new_steps_and_score_as_the_plain_graph(string family, bool header, int prefillTokens)
    {
        using var plain = LanguageModel.Load(ImportedFixtures.Manifest(family, "concat"), Cpu);
        using var cached = LanguageModel.Load(ImportedFixtures.Manifest(family, "shared"),
            new InferenceOptions { Device = "cpu", IntraOpThreads = 2, MaxPrefillTokens = prefillTokens });
        using var uncached = LanguageModel.Load(ImportedFixtures.Manifest(family, "shared"), new InferenceOptions { Device = "cpu", IntraOpThreads = 2, PrmPrefixCacheGiB = 0 });
        var search = new Search(seed: 4, problems: header ? 3 : 2, header: header);
        for (var round = 0; round < 7; round++)
        {
            var inputs = search.Round(out var candidates);
            var (beforeCached, beforeUncached) = (cached.PrefixPrm.PrefilledTokens, uncached.PrefixPrm.PrefilledTokens);
            var searches = candidates.Select(c => (long?)c.Problem).ToList();
            AssertClose(new PrmScorer(plain).ScoreEncoded(inputs), new PrmScorer(cached).ScoreEncoded(inputs, default, searches), $"round {round}");
            new PrmScorer(uncached).ScoreEncoded(inputs);
            var (withCache, without) = (cached.PrefixPrm.PrefilledTokens - beforeCached, uncached.PrefixPrm.PrefilledTokens - beforeUncached);
            if (round == 0) Assert.Equal(without, withCache);
            else
            {
                // Each beam's earlier steps come from the cache: only the step each beam added last round is prefilled
                // again, with the candidates' new steps (steps of 16 tokens or more: a shorter shared run is folded into
                // its children, PrefixTree's minSegment).
                var newSteps = candidates.Sum(c => c.Steps[^1].Length);
                var beamSteps = candidates.DistinctBy(c => $"{c.Problem}:{string.Join(',', c.Steps.SkipLast(1).SelectMany(x => x))}")
                    .Sum(c => c.Steps[^2].Length);
                Assert.True(newSteps + beamSteps == withCache, $"round {round}: {withCache} tokens prefilled, {newSteps} new + {beamSteps} of the beams' last steps expected");
                Assert.True(withCache < without, $"round {round}: {withCache} tokens prefilled with the cache, {without} without");
            }
            // What stays is this round's tree (problem, branch points, beams) and the beams' ancestors, each position held
            // once: an entry holds only what follows the entry it continues.
            var kept = cached.PrefixPrm.Cache!.Entries.ToList();
            Assert.All(kept, e => Assert.Contains(inputs, x => x.Ids.AsSpan().StartsWith(e.Ids)));
            var distinct = kept.SelectMany(e => Enumerable.Range(1, e.Length).Select(t => string.Join(',', e.Ids[..t]))).ToHashSet().Count;
            // (the two problems that share 3 words each hold them: a run too short for a node of its own)
            Assert.Equal(distinct + (header ? 3 : 0), cached.PrefixPrm.Cache.HeldPositions);
            if (round > 0) Assert.True(distinct < kept.Sum(e => e.Length), $"round {round}: {kept.Count} entries, none continues another");
            // Two beams from one parent (the parent's prefix is then a branch point of the next round's tree), one from
            // another; alternating which parent, so that beams share ancestors of several depths and rounds ago.
            search.Keep(candidates, n => round % 2 == 0 ? [0, 1, 5] : [2, 6, 7]);
        }
        Assert.True(cached.PrefixPrm.CacheHits > 0);
        Assert.True(prefillTokens > 1000 || cached.PrefixPrm.Runs > 2 * uncached.PrefixPrm.Runs,
            $"{cached.PrefixPrm.Runs} runs, {uncached.PrefixPrm.Runs} with one chunk a level");
    }

    [Fact]
    public void A_kept_prefix_without_a_score_the_input_needs_is_passed_over()
    {
        // The first call marks no step inside the problem; the second marks one there, which the cache cannot give.
        using var plain = LanguageModel.Load(ImportedFixtures.Manifest("qwen-prm", "concat"), Cpu);
        using var cached = LanguageModel.Load(ImportedFixtures.Manifest("qwen-prm", "shared"), Cpu);
        var rng = new Random(9);
        var shared = Enumerable.Range(0, 50).Select(_ => rng.Next(800)).ToArray();
        List<(int[] Ids, int[] Markers)> Inputs(params int[] extra) => Enumerable.Range(0, 3).Select(i =>
        {
            var ids = shared.Concat(Enumerable.Range(0, 20).Select(_ => rng.Next(800))).ToArray();
            return (ids, extra.Append(ids.Length - 1).ToArray());
        }).ToList();

        new PrmScorer(cached).ScoreEncoded(Inputs());
        var second = Inputs(30);
        AssertClose(new PrmScorer(plain).ScoreEncoded(second), new PrmScorer(cached).ScoreEncoded(second), "second call");
        var third = Inputs(30);
        var hits = cached.PrefixPrm.CacheHits;
        AssertClose(new PrmScorer(plain).ScoreEncoded(third), new PrmScorer(cached).ScoreEncoded(third), "third call");
        Assert.True(cached.PrefixPrm.CacheHits > hits, "the second call's prefix holds the score at 30");
    }

    [Fact]
    public void The_budget_bounds_what_stays_between_calls()
    {
        var manifest = ImportedFixtures.Manifest("qwen-prm", "shared");
        using var plain = LanguageModel.Load(ImportedFixtures.Manifest("qwen-prm", "concat"), Cpu);
        using var probe = LanguageModel.Load(manifest, Cpu);
        var m = probe.Manifest;
        var element = probe.Session.InputMetadata["past_key_values.0.key"].ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16 ? 2 : 4;
        var positionBytes = 2.0 * m.NumLayers * m.NumKvHeads * m.HeadSize * element;
        const int positions = 150;   // less than two problems' beams
        using var small = LanguageModel.Load(manifest, new InferenceOptions { Device = "cpu", IntraOpThreads = 2, PrmPrefixCacheGiB = positions * positionBytes / (1L << 30) });
        var search = new Search(seed: 2);
        for (var round = 0; round < 3; round++)
        {
            var inputs = search.Round(out var candidates);
            AssertClose(new PrmScorer(plain).ScoreEncoded(inputs), new PrmScorer(small).ScoreEncoded(inputs), $"round {round}");
            Assert.True(small.PrefixPrm.Cache!.HeldPositions <= positions, $"round {round}: {small.PrefixPrm.Cache.HeldPositions} positions held");
            search.Keep(candidates, _ => [0, 4, 8]);
        }
        Assert.True(small.PrefixPrm.Cache!.Evicted > 0);
    }

    [Fact]
    public void A_failed_call_leaves_nothing_kept()
    {
        using var cached = LanguageModel.Load(ImportedFixtures.Manifest("qwen-prm", "shared"), Cpu);
        var search = new Search(seed: 3);
        var inputs = search.Round(out _);
        new PrmScorer(cached).ScoreEncoded(inputs);
        Assert.True(cached.PrefixPrm.Cache!.Count > 0);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new PrmScorer(cached).ScoreEncoded(inputs, cancelled.Token));
        Assert.Equal(0, cached.PrefixPrm.Cache.Count);
        Assert.Equal(0, cached.PrefixPrm.Cache.HeldPositions);
    }
}
