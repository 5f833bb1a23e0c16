namespace Pipeline.Inference.Tests;

/// <summary>Stop conditions end to end, on the fixture "script" decoder: whatever the prompt, after
/// position p it emits byte p of "12+3=15\n\n15*2=30\n\nThe answer is $\boxed{30}$.\n\n" then EOS
/// (47 bytes and EOS: 48 tokens, repeating). A prompt of 48 characters (+bos) starts the script at its beginning.</summary>
[Collection("models")]
public sealed class StopTests(ModelsFixture models)
{
    private const string Script = "12+3=15\n\n15*2=30\n\nThe answer is $\\boxed{30}$.\n\n";
    private readonly Generator _generator = new(models.Script);

    // A prompt whose continuation starts at character `offset` of the script.
    private static string PromptAt(int offset) => new('x', 48 + offset);

    private async Task<GeneratedSample> One(GenerationRequest r) => (await _generator.GenerateAsync([r]))[0].Samples[0];

    [Fact]
    public async Task Step_mode_stops_at_the_delimiter()
    {
        var s = await One(new GenerationRequest(PromptAt(0)));
        Assert.Equal(FinishReasons.Delimiter, s.FinishReason);
        Assert.Equal([new GeneratedStep("12+3=15", 9)], s.Steps);
        Assert.Equal("12+3=15\n\n", s.Text);
        Assert.Equal(9, s.GeneratedTokens);
        Assert.Equal(49, s.PromptTokens);
        Assert.False(s.Terminal);
    }

    [Fact]
    public async Task A_final_answer_step_is_terminal()
    {
        var s = await One(new GenerationRequest(PromptAt(18)));
        Assert.Equal("The answer is $\\boxed{30}$.", Assert.Single(s.Steps).Text);
        Assert.True(s.Terminal);
    }

    [Fact]
    public async Task Solution_mode_runs_to_eos_and_splits_steps()
    {
        var s = await One(new GenerationRequest(PromptAt(0), Mode: StopMode.Solution, MaxNewTokens: 200));
        Assert.Equal(FinishReasons.Eos, s.FinishReason);
        Assert.True(s.Terminal);
        Assert.Equal(["12+3=15", "15*2=30", "The answer is $\\boxed{30}$."], s.Steps.Select(x => x.Text));
        Assert.Equal([9, 9, 29], s.Steps.Select(x => x.Tokens));
        Assert.Equal(Script, s.Text);
        Assert.Equal(48, s.GeneratedTokens);   // EOS counted
    }

    [Fact]
    public async Task Step_limit_and_token_limit()
    {
        var steps = await One(new GenerationRequest(PromptAt(0), Mode: StopMode.Solution, MaxNewTokens: 200, MaxSteps: 2));
        Assert.Equal(FinishReasons.MaxSteps, steps.FinishReason);
        Assert.Equal(2, steps.Steps.Count);
        Assert.False(steps.Terminal);

        var length = await One(new GenerationRequest(PromptAt(0), Mode: StopMode.Solution, MaxNewTokens: 12));
        Assert.Equal(FinishReasons.Length, length.FinishReason);
        Assert.Equal([new GeneratedStep("12+3=15", 9), new GeneratedStep("15*", 3)], length.Steps);
        Assert.False(length.Terminal);
    }

    [Fact]
    public async Task Eos_right_after_the_prompt_gives_no_step()
    {
        var s = await One(new GenerationRequest(PromptAt(47)));
        Assert.Equal(FinishReasons.Eos, s.FinishReason);
        Assert.Empty(s.Steps);
        Assert.True(s.Terminal);
        Assert.Equal(1, s.GeneratedTokens);
    }

    [Fact]
    public async Task Rows_of_every_length_and_stop_keep_their_positions_through_compaction()
    {
        // One batch: different prompt lengths (left padding), rows stopping early (compaction) and late.
        var requests = new[]
        {
            new GenerationRequest(PromptAt(0), Mode: StopMode.Solution, MaxNewTokens: 200),
            new GenerationRequest(PromptAt(9), MaxNewTokens: 2),
            new GenerationRequest(PromptAt(47)),
            new GenerationRequest(PromptAt(9), Samples: 2),
            new GenerationRequest(PromptAt(18), Mode: StopMode.Solution, MaxNewTokens: 200),
        };
        var results = await _generator.GenerateAsync(requests);
        Assert.Equal(Script, results[0].Samples[0].Text);
        Assert.Equal("15", results[1].Samples[0].Text);
        Assert.Equal("", results[2].Samples[0].Text);
        Assert.All(results[3].Samples, s => Assert.Equal("15*2=30\n\n", s.Text));
        Assert.Equal("The answer is $\\boxed{30}$.\n\n", results[4].Samples[0].Text);
    }

    [Fact]
    public async Task Ignore_stops_runs_exactly_the_token_limit()
    {
        var s = await One(new GenerationRequest(PromptAt(0), MaxNewTokens: 120, IgnoreStops: true));
        Assert.Equal(120, s.GeneratedTokens);
        Assert.Equal(FinishReasons.Length, s.FinishReason);
    }

    [Fact]
    public async Task Float16_cache_and_last_position_logits_behave_the_same()
    {
        // The layout of fp16 GPU exports: float16 past/present and logits, logits of the last position only.
        using var half = ModelsFixture.Load(TestPaths.Fixture("script_decoder_fp16_last.manifest.json"));
        Assert.True(half.Manifest.LastLogitsOnly);
        Assert.Equal("float16", half.Manifest.Dtype);
        var requests = new[]
        {
            new GenerationRequest(PromptAt(0), Mode: StopMode.Solution, MaxNewTokens: 200),
            new GenerationRequest(PromptAt(9), Samples: 2, Temperature: 0.7, Seed: 5),
            new GenerationRequest(PromptAt(18), MaxNewTokens: 3),
        };
        var want = await _generator.GenerateAsync(requests);
        var got = await new Generator(half).GenerateAsync(requests);
        for (var r = 0; r < requests.Length; r++)
            for (var s = 0; s < requests[r].Samples; s++)
            {
                var (w, g) = (want[r].Samples[s], got[r].Samples[s]);
                Assert.Equal(w.TokenIds, g.TokenIds);
                Assert.Equal(w.Steps, g.Steps);
                Assert.Equal((w.Text, w.FinishReason, w.Terminal, w.PromptTokens), (g.Text, g.FinishReason, g.Terminal, g.PromptTokens));
            }
        Assert.Equal(Script, got[0].Samples[0].Text);
    }
}
