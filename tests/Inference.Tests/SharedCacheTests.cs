namespace Pipeline.Inference.Tests;

/// <summary>The shared-cache layout (kv_cache "shared": GroupQueryAttention writing a preallocated cache
/// in place, argmax and temperature draws on the device) against the concat layout of the same
/// weights. Fixtures/qwen2-tiny holds both, exported from one random Qwen2 by
/// <c>/usr/bin/python3 scripts/gpu/export_qwen2.py --config tiny --dtype float32 --shared --out tests/Inference.Tests/Fixtures/qwen2-tiny</c>
/// (weights.pt and prompts.json deleted). On CPU these run the same engine code as on CUDA, minus the graph capture.</summary>
public sealed class SharedCacheTests : IDisposable
{
    private static readonly InferenceOptions Cpu = new() { Device = "cpu", IntraOpThreads = 2 };
    private readonly LanguageModel _concat = LanguageModel.Load(Qwen("policy.manifest.json"), Cpu);
    private readonly LanguageModel _shared = LanguageModel.Load(Qwen("policy-shared.manifest.json"), Cpu);

    // Letters the fixture tokenizer has no merges for, plus some that merge: prompts of 3 to 90 tokens.
    private static readonly string[] Prompts = ["bcd", "the rain in spain stays mainly", "kqz wvx " + new string('m', 60), "hello there", "pq"];

    private static string Qwen(string file) => TestPaths.Fixture(Path.Combine("qwen2-tiny", file));

    [Fact]
    public void Greedy_tokens_equal_the_concat_layout_on_a_mixed_length_batch()
    {
        var requests = Prompts.Select(p => new GenerationRequest(p, Mode: StopMode.Solution, MaxNewTokens: 24, MaxSteps: 100, IgnoreStops: true)).ToList();
        var concat = new Generator(_concat).Generate(requests);
        var shared = new Generator(_shared).Generate(requests);
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(24, shared[i].Samples[0].TokenIds.Count);
            Assert.Equal(concat[i].Samples[0].TokenIds, shared[i].Samples[0].TokenIds);
        }
        // A random model must not be stuck on one token, or equal greedy runs would prove little.
        Assert.True(shared.SelectMany(r => r.Samples[0].TokenIds).Distinct().Count() > 20);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Temperature_draws_on_the_device_equal_the_host_sampler(bool powerOfTwoBatches)
    {
        _shared.PowerOfTwoBatches = powerOfTwoBatches;   // 11 rows run as 16, then 8, 4, ... as CUDA graphs need
        // Samples finish at different lengths (slots are compacted), prompts are shared by several
        // samples (one prefill, copied slots), and one request keeps top_p < 1 (host path).
        var requests = new[]
        {
            new GenerationRequest(Prompts[1], Samples: 5, Temperature: 1.0, Seed: 11, Mode: StopMode.Solution, MaxNewTokens: 6, MaxSteps: 100, IgnoreStops: true),
            new GenerationRequest(Prompts[2], Samples: 3, Temperature: 0.7, Seed: 12, Mode: StopMode.Solution, MaxNewTokens: 30, MaxSteps: 100, IgnoreStops: true),
            new GenerationRequest(Prompts[0], Samples: 2, Temperature: 1.3, TopP: 0.8, Seed: 13, Mode: StopMode.Solution, MaxNewTokens: 17, MaxSteps: 100, IgnoreStops: true),
            new GenerationRequest(Prompts[3], Samples: 1, Temperature: 0, Mode: StopMode.Solution, MaxNewTokens: 11, MaxSteps: 100, IgnoreStops: true),
        };
        var concat = new Generator(_concat).Generate(requests);
        var shared = new Generator(_shared).Generate(requests);
        for (var r = 0; r < requests.Length; r++)
            for (var s = 0; s < requests[r].Samples; s++)
            {
                Assert.Equal(requests[r].MaxNewTokens, shared[r].Samples[s].TokenIds.Count);
                Assert.Equal(concat[r].Samples[s].TokenIds, shared[r].Samples[s].TokenIds);
            }
        Assert.True(shared[1].Samples.Select(x => string.Join(",", x.TokenIds)).Distinct().Count() == 3, "samples of one prompt differ");
    }

    [Fact]
    public void Same_seed_same_samples_whatever_shares_the_batch_and_with_prefix_sharing_off()
    {
        var request = new GenerationRequest(Prompts[4], Samples: 4, Temperature: 1.0, Seed: 5, Mode: StopMode.Solution, MaxNewTokens: 20, MaxSteps: 100);
        var generator = new Generator(_shared);
        var alone = generator.Generate([request])[0];
        var mixed = generator.Generate([new GenerationRequest(Prompts[2], Samples: 7, Temperature: 1, Seed: 9, MaxNewTokens: 40), request])[1];
        using var unsharedModel = LanguageModel.Load(Qwen("policy-shared.manifest.json"), new InferenceOptions { Device = "cpu", IntraOpThreads = 2, PrefixSharing = false });
        var unshared = new Generator(unsharedModel).Generate([request])[0];
        for (var s = 0; s < 4; s++)
        {
            Assert.Equal(alone.Samples[s].TokenIds, mixed.Samples[s].TokenIds);
            Assert.Equal(alone.Samples[s].TokenIds, unshared.Samples[s].TokenIds);
        }
        Assert.NotEqual(alone.Samples[0].TokenIds, alone.Samples[1].TokenIds);
    }

    [Fact]
    public void Stops_and_finish_reasons_match_the_concat_layout()
    {
        // Step mode on a random model: samples stop at EOS, at the token limit, or at a delimiter.
        var requests = Enumerable.Range(0, 6).Select(i => new GenerationRequest(Prompts[i % Prompts.Length], Samples: 3, Temperature: 1.0, Seed: i,
            Mode: StopMode.Step, MaxNewTokens: 5 + 7 * i)).ToList();
        var concat = new Generator(_concat).Generate(requests);
        var shared = new Generator(_shared).Generate(requests);
        for (var r = 0; r < requests.Count; r++)
            for (var s = 0; s < 3; s++)
            {
                Assert.Equal(concat[r].Samples[s].TokenIds, shared[r].Samples[s].TokenIds);
                Assert.Equal(concat[r].Samples[s].FinishReason, shared[r].Samples[s].FinishReason);
                Assert.Equal(concat[r].Samples[s].Text, shared[r].Samples[s].Text);
            }
    }

    [Fact]
    public void Buffers_grow_between_calls_without_changing_results()
    {
        var small = new GenerationRequest(Prompts[0], Samples: 1, Mode: StopMode.Solution, MaxNewTokens: 8, MaxSteps: 100, IgnoreStops: true);
        var large = new GenerationRequest(Prompts[2], Samples: 9, Temperature: 1, Seed: 3, Mode: StopMode.Solution, MaxNewTokens: 300, MaxSteps: 1000, IgnoreStops: true);
        var generator = new Generator(_shared);
        var first = generator.Generate([small])[0].Samples[0].TokenIds;
        var grown = generator.Generate([large, small]);
        Assert.Equal(first, grown[1].Samples[0].TokenIds);
        Assert.Equal(300, grown[0].Samples[8].TokenIds.Count);
        using var fresh = LanguageModel.Load(Qwen("policy-shared.manifest.json"), Cpu);
        Assert.Equal(grown[0].Samples[8].TokenIds, new Generator(fresh).Generate([large])[0].Samples[8].TokenIds);
    }

    [Fact]
    public void Manifest_kv_cache_must_name_a_known_layout_and_match_the_graph()
    {
        var dir = Directory.CreateTempSubdirectory("kvcache-").FullName;
        try
        {
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(Qwen("policy.onnx"))!)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            var text = File.ReadAllText(Path.Combine(dir, "policy-shared.manifest.json"));
            File.WriteAllText(Path.Combine(dir, "bad.manifest.json"), text.Replace("\"kv_cache\": \"shared\"", "\"kv_cache\": \"paged\""));
            var e = Assert.Throws<ModelFormatException>(() => ModelManifest.Load(Path.Combine(dir, "bad.manifest.json")));
            Assert.Contains("kv_cache", e.Message);
            Assert.Contains("bad.manifest.json", e.Message);
            // The concat graph under a manifest that says shared: named, with the input it lacks.
            File.WriteAllText(Path.Combine(dir, "wrong.manifest.json"), text.Replace("policy-shared.onnx", "policy.onnx"));
            var wrong = Assert.Throws<ModelFormatException>(() => LanguageModel.Load(Path.Combine(dir, "wrong.manifest.json"), Cpu));
            Assert.Contains("seqlens_k", wrong.Message);
            Assert.Contains("policy.onnx", wrong.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public void Dispose()
    {
        _concat.Dispose();
        _shared.Dispose();
    }
}
