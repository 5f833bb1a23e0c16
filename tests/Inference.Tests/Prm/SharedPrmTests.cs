using System.Text.Json;

namespace Pipeline.Inference.Tests.Prm;

/// <summary>The shared-cache PRM (GroupQueryAttention backbone, PRM head at every position, candidates
/// sharing their prefix's cache) against the plain PRM graph of the same checkpoint and against
/// transformers' reference scores, on CPU.</summary>
public class SharedPrmTests
{
    private static readonly InferenceOptions Cpu = new() { Device = "cpu", IntraOpThreads = 2 };

    // A beam-search round shape: one problem, beams with their earlier steps, candidates with a new step
    // each; plus an unrelated problem, an exact duplicate and a candidate that is a prefix of another.
    private static List<(int[] Ids, int[] Markers)> Round(int vocab, int seed)
    {
        var rng = new Random(seed);
        int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(vocab)).ToArray();
        var problem = Tokens(45);
        var inputs = new List<(int[] Ids, int[] Markers)>();
        for (var b = 0; b < 3; b++)
        {
            var steps = new List<int[]> { Tokens(rng.Next(18, 30)), Tokens(rng.Next(18, 30)) };
            for (var c = 0; c < 4; c++)
            {
                var all = steps.Append(Tokens(rng.Next(10, 25))).ToList();
                var ids = problem.Concat(all.SelectMany(s => s)).ToArray();
                var markers = new List<int>();
                var at = problem.Length;
                foreach (var s in all) markers.Add((at += s.Length) - 1);
                inputs.Add((ids, markers.ToArray()));
            }
        }
        var other = Tokens(70);
        inputs.Add((other, [10, 40, 69]));
        inputs.Add((inputs[0].Ids.ToArray(), inputs[0].Markers.ToArray()));
        inputs.Add((inputs[1].Ids[..(inputs[1].Markers[1] + 1)], inputs[1].Markers[..2]));
        return inputs;
    }

    [Theory]
    [InlineData("qwen-prm")]      // two-class head
    [InlineData("skywork-prm")]   // value head
    public void Shared_prefixes_score_as_the_plain_graph_does(string family)
    {
        using var plain = LanguageModel.Load(ImportedFixtures.Manifest(family, "concat"), Cpu);
        using var shared = LanguageModel.Load(ImportedFixtures.Manifest(family, "shared"), Cpu);
        Assert.True(shared.Manifest.PrmPrefixCache);
        var inputs = Round(vocab: 800, seed: 11);

        var want = new PrmScorer(plain).ScoreEncoded(inputs);
        var got = new PrmScorer(shared).ScoreEncoded(inputs);

        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(want[i].Count, got[i].Count);
            for (var k = 0; k < want[i].Count; k++)
                Assert.True(Math.Abs(want[i][k] - got[i][k]) < 1e-4, $"input {i} step {k}: plain {want[i][k]:F6}, shared {got[i][k]:F6}");
        }
        // The prefixes were scored once: far fewer positions than the inputs hold.
        var total = inputs.Sum(x => x.Ids.Length);
        Assert.True(shared.PrefixPrm.PrefilledTokens < total / 2, $"{shared.PrefixPrm.PrefilledTokens} positions prefilled for {total} input tokens");
        Assert.True(shared.PrefixPrm.Copies > 0);
    }

    [Fact]
    public void Copied_positions_count_each_rows_whole_past()
    {
        // One problem of 45 tokens, four candidates of one step each, nothing kept across calls: the problem runs once
        // and each candidate's row copies its 45 positions as its past.
        using var shared = LanguageModel.Load(ImportedFixtures.Manifest("qwen-prm", "shared"),
            new InferenceOptions { Device = "cpu", IntraOpThreads = 2, PrmPrefixCacheGiB = 0 });
        var rng = new Random(3);
        var problem = Enumerable.Range(0, 45).Select(_ => rng.Next(800)).ToArray();
        var inputs = Enumerable.Range(0, 4).Select(c =>
        {
            var step = Enumerable.Range(0, 20 + c).Select(_ => rng.Next(800)).ToArray();
            return (problem.Concat(step).ToArray(), new[] { 45 + step.Length - 1 });
        }).ToList();
        new PrmScorer(shared).ScoreEncoded(inputs);
        Assert.Equal(4, shared.PrefixPrm.Copies);
        Assert.Equal(4 * 45, shared.PrefixPrm.CopiedPositions);
        Assert.Equal(4 * 2 * shared.Manifest.NumLayers, shared.PrefixPrm.CopyCalls);   // one piece a row, keys and values a layer
        Assert.Equal(45 + 20 + 21 + 22 + 23, shared.PrefixPrm.PrefilledTokens);
    }

    [Fact]
    public void Chunks_within_a_small_prefill_budget_give_the_same_scores()
    {
        var manifest = ImportedFixtures.Manifest("qwen-prm", "shared");
        using var wide = LanguageModel.Load(manifest, Cpu);
        using var narrow = LanguageModel.Load(manifest, new InferenceOptions { Device = "cpu", IntraOpThreads = 2, MaxPrefillTokens = 64 });
        var inputs = Round(vocab: 800, seed: 5);
        var a = new PrmScorer(wide).ScoreEncoded(inputs);
        var b = new PrmScorer(narrow).ScoreEncoded(inputs);
        Assert.True(narrow.PrefixPrm.Runs > wide.PrefixPrm.Runs);
        for (var i = 0; i < inputs.Count; i++)
            for (var k = 0; k < a[i].Count; k++)
                Assert.True(Math.Abs(a[i][k] - b[i][k]) < 1e-5, $"input {i} step {k}: {a[i][k]} vs {b[i][k]}");
    }

    [Fact]
    public void An_attention_budget_splits_long_candidates_into_more_runs_with_the_same_scores()
    {
        var manifest = ImportedFixtures.Manifest("qwen-prm", "shared");
        using var wide = LanguageModel.Load(manifest, Cpu);
        var heads = wide.Manifest.NumHeads;
        // room for the scores of about one 100-token candidate after its problem: rows x 100 x 145 x heads x 4 bytes
        var gib = 1.5 * 100 * 145 * heads * 4.0 / (1L << 30);
        using var narrow = LanguageModel.Load(manifest, new InferenceOptions { Device = "cpu", IntraOpThreads = 2, MaxPrefillAttentionGiB = gib });
        var rng = new Random(8);
        var problem = Enumerable.Range(0, 45).Select(_ => rng.Next(800)).ToArray();
        var inputs = Enumerable.Range(0, 6).Select(_ =>
        {
            var ids = problem.Concat(Enumerable.Range(0, 100).Select(_ => rng.Next(800))).ToArray();
            return (ids, new[] { problem.Length + 50, ids.Length - 1 });
        }).ToList();

        var a = new PrmScorer(wide).ScoreEncoded(inputs);
        var b = new PrmScorer(narrow).ScoreEncoded(inputs);

        Assert.Equal(2, wide.PrefixPrm.Runs);            // the problem, then all six candidates in one run
        Assert.Equal(1 + 6, narrow.PrefixPrm.Runs);      // one candidate a run
        for (var i = 0; i < inputs.Count; i++)
            for (var k = 0; k < a[i].Count; k++)
                Assert.True(Math.Abs(a[i][k] - b[i][k]) < 1e-5, $"input {i} step {k}: {a[i][k]} vs {b[i][k]}");
    }

    [Fact]
    public void Leaf_presents_are_freed_chunk_by_chunk_so_memory_stays_within_the_budget()
    {
        // Best-of-N's shape: one problem, every candidate a solution of its own (leaves). Their presents are never a
        // past, so only the problem's cache and one chunk's may be held at a time, not every candidate's.
        const int budget = 160;
        var manifest = ImportedFixtures.Manifest("qwen-prm", "shared");
        using var narrow = LanguageModel.Load(manifest, new InferenceOptions { Device = "cpu", IntraOpThreads = 2, MaxPrefillTokens = budget });
        using var plain = LanguageModel.Load(ImportedFixtures.Manifest("qwen-prm", "concat"), Cpu);
        var rng = new Random(3);
        var problem = Enumerable.Range(0, 45).Select(_ => rng.Next(800)).ToArray();
        var inputs = Enumerable.Range(0, 24).Select(_ =>
        {
            var ids = problem.Concat(Enumerable.Range(0, 30).Select(_ => rng.Next(800))).ToArray();
            return (ids, new[] { problem.Length + 14, ids.Length - 1 });
        }).ToList();

        var got = new PrmScorer(narrow).ScoreEncoded(inputs);
        var want = new PrmScorer(plain).ScoreEncoded(inputs);

        for (var i = 0; i < inputs.Count; i++)
            for (var k = 0; k < want[i].Count; k++)
                Assert.True(Math.Abs(want[i][k] - got[i][k]) < 1e-4, $"input {i} step {k}: plain {want[i][k]:F6}, shared {got[i][k]:F6}");
        var allLeaves = inputs.Count * (long)inputs[0].ids.Length;
        Assert.True(narrow.PrefixPrm.PeakHeldPositions <= problem.Length + budget,
            $"{narrow.PrefixPrm.PeakHeldPositions} cache positions held at once (problem {problem.Length} + budget {budget}; all leaves {allLeaves})");
        Assert.True(narrow.PrefixPrm.Runs > 3, $"{narrow.PrefixPrm.Runs} runs: the leaves should need several chunks");
    }

    [Fact]
    public void Shared_layout_scores_equal_transformers_reference()
    {
        using var shared = LanguageModel.Load(ImportedFixtures.Manifest("qwen-prm", "shared"), Cpu);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ImportedFixtures.HfDir("qwen-prm"), "reference.json")));
        var sep = shared.Tokenizer.Vocabulary["<extra_0>"];
        var cases = doc.RootElement.GetProperty("prm").EnumerateArray().Select(c =>
        {
            var ids = c.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            var markers = ids.Select((t, i) => (t, i)).Where(x => x.t == sep).Select(x => x.i).ToArray();
            var scores = c.GetProperty("scores").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            return (ids, markers, scores);
        }).ToList();
        var got = new PrmScorer(shared).ScoreEncoded(cases.Select(c => (c.ids, c.markers)).ToList());
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i].scores.Length, got[i].Count);
            for (var k = 0; k < got[i].Count; k++)
                Assert.True(Math.Abs(cases[i].scores[k] - got[i][k]) < 1e-3, $"case {i} step {k}: transformers {cases[i].scores[k]:F6}, engine {got[i][k]:F6}");
        }
    }
}
