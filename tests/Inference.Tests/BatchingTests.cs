namespace Pipeline.Inference.Tests;

/// <summary>Batching, padding and prefix sharing must not change what a sample is.</summary>
[Collection("models")]
public sealed class BatchingTests(ModelsFixture models)
{
    private static readonly string[] Prompts =
    [
        "Compute $7+5$.\n\n",
        "Compute $(48+364\\div 2)\\times 21\\div 10\\div 7$.\n\n",
        "Compute $26\\div 2+31$.\n\n26\\div 2 = 13\n\n",
        "Compute $1$.\n\n",
    ];

    [Fact]
    public async Task Mixed_length_batch_gives_the_same_greedy_text_as_one_at_a_time()
    {
        var generator = new Generator(models.Policy);
        var requests = Prompts.Select(p => new GenerationRequest(p, Mode: StopMode.Solution, MaxNewTokens: 40, MaxSteps: 100)).ToList();
        var together = await generator.GenerateAsync(requests);
        for (var i = 0; i < requests.Count; i++)
        {
            var alone = (await generator.GenerateAsync([requests[i]]))[0].Samples[0];
            Assert.Equal(alone.TokenIds, together[i].Samples[0].TokenIds);
            Assert.Equal(alone.Text, together[i].Samples[0].Text);
            Assert.Equal(models.Policy.EncodePrompt(Prompts[i]).Length, alone.PromptTokens);
        }
    }

    [Fact]
    public async Task Same_seed_same_samples_whatever_the_batch()
    {
        var generator = new Generator(models.Policy);
        // Hot sampling on an unusual prompt: even a trained model is unsure here, so samples spread out.
        var request = new GenerationRequest("Compute $x$?\n\n", Samples: 6, Temperature: 2.0, TopP: 0.98, Seed: 42, Mode: StopMode.Solution, MaxNewTokens: 24);
        var first = (await generator.GenerateAsync([request]))[0];
        var again = (await generator.GenerateAsync([request]))[0];
        var mixed = (await generator.GenerateAsync([new GenerationRequest(Prompts[1], Samples: 5, Temperature: 1, Seed: 7, MaxNewTokens: 30), request]))[1];
        for (var s = 0; s < 6; s++)
        {
            Assert.Equal(first.Samples[s].TokenIds, again.Samples[s].TokenIds);
            Assert.Equal(first.Samples[s].TokenIds, mixed.Samples[s].TokenIds);
        }
        // Samples of one request differ from each other, and another seed gives others.
        Assert.True(first.Samples.Select(x => string.Join(",", x.TokenIds)).Distinct().Count() > 3);
        var other = (await generator.GenerateAsync([request with { Seed = 43 }]))[0];
        Assert.NotEqual(first.Samples[0].TokenIds, other.Samples[0].TokenIds);
    }

    [Fact]
    public async Task Prefix_sharing_changes_nothing_but_the_work()
    {
        var requests = new[]
        {
            new GenerationRequest(Prompts[1], Samples: 5, Temperature: 0.8, Seed: 3, Mode: StopMode.Solution, MaxNewTokens: 20),
            new GenerationRequest(Prompts[3], Samples: 3, Temperature: 0.8, Seed: 4, Mode: StopMode.Solution, MaxNewTokens: 20),
        };
        var shared = await new Generator(models.Policy).GenerateAsync(requests);
        using var unsharedModel = ModelsFixture.Load(TestPaths.Tiny("policy.manifest.json"), new InferenceOptions { Device = "cpu", IntraOpThreads = 2, PrefixSharing = false });
        var unshared = await new Generator(unsharedModel).GenerateAsync(requests);
        for (var r = 0; r < requests.Length; r++)
            for (var s = 0; s < requests[r].Samples; s++)
                Assert.Equal(unshared[r].Samples[s].TokenIds, shared[r].Samples[s].TokenIds);
    }

    [Fact]
    public async Task Small_waves_and_eager_compaction_give_the_same_samples()
    {
        var requests = Prompts.Select((p, i) => new GenerationRequest(p, Samples: 3, Temperature: 1, Seed: i, Mode: StopMode.Solution,
            MaxNewTokens: 5 + 7 * i)).ToList();
        var big = await new Generator(models.Policy).GenerateAsync(requests);
        using var small = ModelsFixture.Load(TestPaths.Tiny("policy.manifest.json"),
            new InferenceOptions { Device = "cpu", IntraOpThreads = 2, MaxBatchSize = 5, CompactFraction = 0.01, MaxPrefillTokens = 40 });
        var waves = await new Generator(small).GenerateAsync(requests);
        for (var r = 0; r < requests.Count; r++)
            for (var s = 0; s < 3; s++)
            {
                Assert.Equal(big[r].Samples[s].TokenIds, waves[r].Samples[s].TokenIds);
                Assert.InRange(big[r].Samples[s].GeneratedTokens, 1, 5 + 7 * r);
            }
    }

    [Fact]
    public async Task A_device_resident_cache_is_brought_to_host_before_compaction()
    {
        var requests = Prompts.Select((p, i) => new GenerationRequest(p, Samples: 2, Temperature: 1, Seed: i, Mode: StopMode.Solution,
            MaxNewTokens: 3 + 9 * i)).ToList();
        var want = await new Generator(models.Policy).GenerateAsync(requests);
        using var gpuLike = ModelsFixture.Load(TestPaths.Tiny("policy.manifest.json"), new InferenceOptions { Device = "cpu", IntraOpThreads = 2, CompactFraction = 0.01 });
        gpuLike.TreatCacheAsDevice = true;   // presents "stay on the device": copying them would throw
        var got = await new Generator(gpuLike).GenerateAsync(requests);
        for (var r = 0; r < requests.Count; r++)
            for (var s = 0; s < 2; s++)
                Assert.Equal(want[r].Samples[s].TokenIds, got[r].Samples[s].TokenIds);
    }

    [Fact]
    public async Task Prefill_from_a_masked_slot_gives_the_same_samples()
    {
        // The fallback for graphs that fail on an empty past: one zero cache slot, masked out.
        var requests = Prompts.Select((p, i) => new GenerationRequest(p, Samples: 2, Temperature: i == 0 ? 0 : 1, Seed: i,
            Mode: StopMode.Solution, MaxNewTokens: 30)).ToList();
        var want = await new Generator(models.Policy).GenerateAsync(requests);
        using var slotted = ModelsFixture.Load(TestPaths.Tiny("policy.manifest.json"));
        slotted.PrefillPastSlots = 1 - models.Policy.PrefillPastSlots;   // whichever the probe did not pick
        var got = await new Generator(slotted).GenerateAsync(requests);
        for (var r = 0; r < requests.Count; r++)
            for (var s = 0; s < 2; s++)
                Assert.Equal(want[r].Samples[s].TokenIds, got[r].Samples[s].TokenIds);
    }

    [Fact]
    public async Task Lookahead_rollout_is_greedy_and_limited_to_k_steps()
    {
        var generator = new Generator(models.Script);
        // Script decoder: continues "12+3=15\n\n15*2=30\n\n..." from a prompt of 48 characters (+bos).
        var prompt = new string('x', 48);
        var rollout = (await generator.RolloutAsync([prompt], steps: 2, maxNewTokens: 100))[0].Samples[0];
        Assert.Equal(["12+3=15", "15*2=30"], rollout.Steps.Select(s => s.Text));
        Assert.Equal(FinishReasons.MaxSteps, rollout.FinishReason);
    }

    [Fact]
    public async Task An_empty_call_returns_nothing() => Assert.Empty(await new Generator(models.Policy).GenerateAsync([]));

    [Fact]
    public async Task Bad_requests_are_refused_with_their_index()
    {
        var generator = new Generator(models.Policy);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync([new GenerationRequest("a"), new GenerationRequest("b", TopP: 0)]));
        Assert.Contains("request 1", e.Message);
        var tooLong = new string('1', models.Policy.Manifest.MaxPositions);
        e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync([new GenerationRequest(tooLong)]));
        Assert.Contains("positions", e.Message);
    }
}
