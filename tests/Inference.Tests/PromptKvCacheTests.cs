namespace Pipeline.Inference.Tests;

/// <summary>A shared-cache policy keeping prompts across calls (<see cref="InferenceOptions.PolicyPrefixCacheGiB"/>): a
/// beam search's next round continues each kept prompt, feeding only the tokens it adds, and generates what a
/// prefill of the whole prompt generates (same draws), on CPU with the qwen2-tiny fixture.</summary>
public sealed class PromptKvCacheTests : IDisposable
{
    private static string Manifest => TestPaths.Fixture(Path.Combine("qwen2-tiny", "policy-shared.manifest.json"));
    private readonly LanguageModel _on = LanguageModel.Load(Manifest, new InferenceOptions { Device = "cpu", IntraOpThreads = 2, PolicyPrefixCacheGiB = 1 });
    private readonly LanguageModel _off = LanguageModel.Load(Manifest, new InferenceOptions { Device = "cpu", IntraOpThreads = 2 });

    public void Dispose()
    {
        _on.Dispose();
        _off.Dispose();
    }

    private static GenerationRequest Request(int[] ids, double temperature, long seed) =>
        new($"p{seed}", Samples: 2, Temperature: temperature, Seed: seed, Mode: StopMode.Solution, MaxNewTokens: 12, MaxSteps: 100,
            IgnoreStops: true, PromptTokenIds: ids);

    private static void AssertSame(IReadOnlyList<GenerationResult> want, IReadOnlyList<GenerationResult> got, string what)
    {
        for (var r = 0; r < want.Count; r++)
            for (var s = 0; s < want[r].Samples.Count; s++)
                Assert.True(want[r].Samples[s].TokenIds.SequenceEqual(got[r].Samples[s].TokenIds),
                    $"{what}, request {r} sample {s}: [{string.Join(',', want[r].Samples[s].TokenIds)}] vs [{string.Join(',', got[r].Samples[s].TokenIds)}]");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Beam_rounds_continue_kept_prompts_and_generate_what_a_whole_prefill_generates(double temperature)
    {
        var rng = new Random(3);
        var beams = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 40 + rng.Next(20)).Select(_ => rng.Next(5, 290)).ToArray()).ToList();
        var pruned = 0;
        for (var round = 0; round < 3; round++)
        {
            var requests = beams.Select((ids, i) => Request(ids, temperature, seed: 10 * round + i)).ToList();
            var want = new Generator(_off).Generate(requests);
            var generator = new Generator(_on);
            var got = generator.Generate(requests);
            AssertSame(want, got, $"round {round}");
            var stats = generator.LastStats!;
            var distinct = beams.DistinctBy(b => string.Join(',', b)).ToList();   // greedy samples of one prompt are equal
            if (round == 0) Assert.Equal(0, stats.KeptPromptTokens);
            else
            {
                // every prompt continued a kept one: only the 12 tokens of the step it added were fed
                Assert.Equal(distinct.Count * 12, stats.FedPromptTokens);
                Assert.Equal(distinct.Sum(b => b.Length - 12), stats.KeptPromptTokens);
                Assert.Equal(0, stats.PrefillTokens);
            }
            // the next round's beams: both samples of the first prompt, the first of the second; the third is pruned
            List<int[]> next = [[.. beams[0], .. got[0].Samples[0].TokenIds], [.. beams[0], .. got[0].Samples[1].TokenIds], [.. beams[1], .. got[1].Samples[0].TokenIds]];
            if (round < 2) pruned += distinct.Count(b => !next.Any(n => n.AsSpan().StartsWith(b)));
            beams = next;
        }
        // What the calls continued is gone: the last round's prompts stay, and the pruned beams of the rounds before
        // (nothing tells the cache they were pruned; the budget's least-recently-used order drops them in time).
        var last = beams.DistinctBy(b => string.Join(',', b)).Count();
        Assert.Equal(last + pruned, _on.SharedDecoder.Prompts!.Count);
    }

    [Fact]
    public void A_prompt_that_differs_in_its_last_tokens_continues_the_common_prefix()
    {
        // The next round's prompt is re-tokenized text: the kept prompt's last token may come out split.
        var rng = new Random(5);
        var first = Enumerable.Range(0, 50).Select(_ => rng.Next(5, 290)).ToArray();
        new Generator(_on).Generate([Request(first, 1.0, 1)]);
        int[] next = [.. first[..^2], .. Enumerable.Range(0, 10).Select(_ => rng.Next(5, 290))];
        var generator = new Generator(_on);
        var got = generator.Generate([Request(next, 1.0, 2)]);
        AssertSame(new Generator(_off).Generate([Request(next, 1.0, 2)]), got, "continued");
        Assert.Equal((48, 10), (generator.LastStats!.KeptPromptTokens, generator.LastStats.FedPromptTokens));
    }

    [Fact]
    public void A_long_tail_is_prefilled_instead()
    {
        var rng = new Random(6);
        var first = Enumerable.Range(0, 40).Select(_ => rng.Next(5, 290)).ToArray();
        new Generator(_on).Generate([Request(first, 0, 1)]);
        int[] next = [.. first, .. Enumerable.Range(0, new InferenceOptions().PolicyPrefixMaxTail + 1).Select(_ => rng.Next(5, 290))];
        var generator = new Generator(_on);
        AssertSame(new Generator(_off).Generate([Request(next, 0, 2)]), generator.Generate([Request(next, 0, 2)]), "prefilled");
        Assert.Equal(0, generator.LastStats!.KeptPromptTokens);
        Assert.Equal(next.Length, generator.LastStats.PrefillTokens);
    }
}
