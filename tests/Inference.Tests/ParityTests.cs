using System.Text.Json;

namespace Pipeline.Inference.Tests;

/// <summary>The engine runs the same model as PyTorch: models/tiny-arith/parity.json holds PyTorch's
/// logits, greedy continuations and PRM scores (written by models/tiny-arith/train/parity.py).</summary>
[Collection("models")]
public sealed class ParityTests(ModelsFixture models)
{
    private static readonly JsonElement Parity = JsonDocument.Parse(File.ReadAllText(TestPaths.Tiny("parity.json"))).RootElement;

    public static TheoryData<int> DecoderCases() => [.. Enumerable.Range(0, Parity.GetProperty("decoder").GetArrayLength())];
    public static TheoryData<int> PrmCases() => [.. Enumerable.Range(0, Parity.GetProperty("prm").GetArrayLength())];

    private LanguageModel Decoder(JsonElement c) => c.GetProperty("model").GetString() == "revision" ? models.Revision : models.Policy;

    [Theory]
    [MemberData(nameof(DecoderCases))]
    public void Prompt_tokens_match(int i)
    {
        var c = Parity.GetProperty("decoder")[i];
        Assert.Equal(Ints(c.GetProperty("input_ids")), Decoder(c).EncodePrompt(c.GetProperty("prompt").GetString()!));
    }

    [Theory]
    [MemberData(nameof(DecoderCases))]
    public void Logits_through_the_kv_cache_match_pytorch_within_1e_4(int i)
    {
        var c = Parity.GetProperty("decoder")[i];
        var model = Decoder(c);
        var ids = Ints(c.GetProperty("input_ids"));
        var greedy = Ints(c.GetProperty("greedy_ids"));
        var expected = c.GetProperty("logits");
        using var runner = new DecoderRunner(model);
        var past = runner.InitialCache(1);
        var slots = past.Length;
        try
        {
            var fed = ids.Select(x => (long)x).ToArray();
            var start = 0;
            for (var k = 0; k < expected.GetArrayLength(); k++)
            {
                var total = past.Length + fed.Length;
                var positions = Enumerable.Range(start, fed.Length).Select(x => (long)x).ToArray();
                var mask = Enumerable.Range(0, total).Select(j => j < slots ? 0L : 1L).ToArray();
                var (logits, present) = runner.Forward(fed, mask, positions, 1, fed.Length, past);
                past.Dispose();
                past = present;
                using (logits)
                {
                    var v = model.Manifest.VocabSize;
                    var last = logits.GetTensorDataAsSpan<float>().Slice((fed.Length - 1) * v, v).ToArray();
                    var want = expected[k].EnumerateArray().Select(x => x.GetSingle()).ToArray();
                    Assert.Equal(want.Length, last.Length);
                    var maxDiff = want.Zip(last, (a, b) => Math.Abs(a - b)).Max();
                    Assert.True(maxDiff < 1e-4, $"step {k}: max |logit diff| {maxDiff}");
                }
                start += fed.Length;
                if (k >= greedy.Length) break;
                fed = [greedy[k]];
            }
        }
        finally
        {
            past.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(DecoderCases))]
    public async Task Greedy_text_is_identical(int i)
    {
        var c = Parity.GetProperty("decoder")[i];
        var greedy = Ints(c.GetProperty("greedy_ids"));
        var generator = new Generator(Decoder(c));
        var result = await generator.GenerateAsync([new GenerationRequest(c.GetProperty("prompt").GetString()!,
            Mode: StopMode.Solution, MaxNewTokens: 64, MaxSteps: int.MaxValue)]);
        var sample = result[0].Samples[0];
        var ids = sample.FinishReason == FinishReasons.Eos ? sample.TokenIds.Take(sample.TokenIds.Count - 1) : sample.TokenIds;
        Assert.Equal(greedy, ids.ToArray());
        Assert.Equal(c.GetProperty("greedy_ended_with_eos").GetBoolean(), sample.FinishReason == FinishReasons.Eos);
        var text = c.GetProperty("greedy_text").GetString()!;
        if (!text.Contains('\uFFFD')) Assert.Equal(text, sample.Text);   // Python's replacement of broken UTF-8 is its own
    }

    [Theory]
    [MemberData(nameof(DecoderCases))]
    public async Task Step_by_step_greedy_follows_the_pytorch_continuation(int i)
    {
        // PyTorch's greedy text cut at its delimiters: Step mode must give its steps one call at a time.
        var c = Parity.GetProperty("decoder")[i];
        var model = Decoder(c);
        var text = c.GetProperty("greedy_text").GetString()!;
        if (text.Contains('\uFFFD')) return;   // broken UTF-8 from a model that has not learned the task
        var delimiter = model.Manifest.StepDelimiter;
        var complete = text.Split(delimiter)[..^1];   // steps PyTorch finished within its 64 tokens
        var prompt = c.GetProperty("prompt").GetString()!;
        var generator = new Generator(model);
        foreach (var step in complete)
        {
            var sample = (await generator.GenerateAsync([new GenerationRequest(prompt, MaxNewTokens: 64)]))[0].Samples[0];
            Assert.Equal(FinishReasons.Delimiter, sample.FinishReason);
            Assert.Equal(step, Assert.Single(sample.Steps).Text);
            Assert.Equal(step.Contains("\\boxed{"), sample.Terminal);
            prompt += step + delimiter;
        }
    }

    [Theory]
    [MemberData(nameof(PrmCases))]
    public void Prm_step_scores_match_pytorch_within_1e_4(int i)
    {
        var c = Parity.GetProperty("prm")[i];
        var text = c.GetProperty("text").GetString()!;
        var cut = text.IndexOf("\n\n", StringComparison.Ordinal);
        var problem = text[..cut];
        var steps = text[(cut + 2)..].Split("\n\n")[..^1];
        var scores = new PrmScorer(models.Prm).Score([new PrmInput(problem, steps)])[0];
        var want = c.GetProperty("step_scores").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(want.Length, scores.Count);
        for (var s = 0; s < want.Length; s++)
            Assert.True(Math.Abs(want[s] - scores[s]) < 1e-4, $"step {s}: {scores[s]} vs PyTorch {want[s]}");
    }

    [Fact]
    public async Task Large_policy_greedy_text_and_first_logits_match_pytorch()
    {
        // The large policy (issue 12) ships with its own parity entries; both exist together or neither.
        var manifest = TestPaths.Tiny("policy-large.manifest.json");
        var hasEntries = Parity.TryGetProperty("decoder_large", out var cases);
        Assert.Equal(File.Exists(manifest), hasEntries);
        if (!hasEntries) return;
        using var model = ModelsFixture.Load(manifest);
        Assert.Equal(ModelRole.Policy, model.Manifest.Role);
        Assert.True(model.Manifest.ParameterCount >= 4 * models.Policy.Manifest.ParameterCount, "the large policy is >= 4x the small one");
        foreach (var c in cases.EnumerateArray())
        {
            var ids = Ints(c.GetProperty("input_ids")).Select(x => (long)x).ToArray();
            using var runner = new DecoderRunner(model);
            using var past = runner.InitialCache(1);
            var (logits, present) = runner.Forward(ids, [.. ids.Select(_ => 1L)], [.. Enumerable.Range(0, ids.Length).Select(x => (long)x)], 1, ids.Length, past);
            using (logits)
            using (present)
            {
                var v = model.Manifest.VocabSize;
                var last = logits.GetTensorDataAsSpan<float>().Slice((ids.Length - 1) * v, v).ToArray();
                var want = c.GetProperty("logits")[0].EnumerateArray().Select(x => x.GetSingle()).ToArray();
                var maxDiff = want.Zip(last, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(maxDiff < 1e-4, $"{c.GetProperty("prompt").GetString()}: max |logit diff| {maxDiff}");
            }
            var result = await new Generator(model).GenerateAsync([new GenerationRequest(c.GetProperty("prompt").GetString()!,
                Mode: StopMode.Solution, MaxNewTokens: 64, MaxSteps: int.MaxValue)]);
            var sample = result[0].Samples[0];
            var got = sample.FinishReason == FinishReasons.Eos ? sample.TokenIds.Take(sample.TokenIds.Count - 1) : sample.TokenIds;
            Assert.Equal(Ints(c.GetProperty("greedy_ids")), got.ToArray());
        }
    }

    [Fact]
    public void Prm_scores_do_not_depend_on_batch_padding()
    {
        var cases = Parity.GetProperty("prm").EnumerateArray().Select(c =>
        {
            var text = c.GetProperty("text").GetString()!;
            var cut = text.IndexOf("\n\n", StringComparison.Ordinal);
            return new PrmInput(text[..cut], text[(cut + 2)..].Split("\n\n")[..^1]);
        }).ToList();
        var scorer = new PrmScorer(models.Prm);
        var together = scorer.Score(cases);
        for (var i = 0; i < cases.Count; i++)
        {
            var alone = scorer.Score([cases[i]])[0];
            for (var s = 0; s < alone.Count; s++) Assert.Equal(alone[s], together[i][s], 5);
        }
    }

    [Fact]
    public void Revision_prompt_is_built_like_the_training_code()
    {
        var c = Parity.GetProperty("decoder").EnumerateArray().First(x => x.GetProperty("model").GetString() == "revision");
        IReadOnlyList<IReadOnlyList<string>> attempts =
        [
            ["17+25 = 42", "42\\times 3 = 126", "126-40 = 96", "The answer is $\\boxed{96}$."],
            ["17+25 = 32", "32\\times 3 = 96", "96-40 = 56", "The answer is $\\boxed{56}$."],
        ];
        Assert.Equal(c.GetProperty("prompt").GetString(), PromptBuilder.Revision(models.Revision.Manifest, "Compute $(17+25)\\times 3-40$.", attempts));
    }

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
