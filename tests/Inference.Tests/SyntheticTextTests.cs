namespace Pipeline.Inference.Tests;

/// <summary>The synthetic backend's text and scores: what makes the chaos test's rows comparable across processes.</summary>
public sealed class SyntheticTextTests
{
    private static readonly SyntheticOptions Options = new() { StepsPerSolution = 3, TokensPerStep = 10, AnswerRange = 5 };

    [Fact]
    public void A_step_depends_only_on_seed_sample_and_depth()
    {
        Assert.Equal(SyntheticText.Step(Options, 42, 3, 1), SyntheticText.Step(Options, 42, 3, 1));
        Assert.NotEqual(SyntheticText.Step(Options, 42, 3, 1).Text, SyntheticText.Step(Options, 42, 4, 1).Text);
        Assert.NotEqual(SyntheticText.Step(Options, 42, 3, 1).Text, SyntheticText.Step(Options, 43, 3, 1).Text);
        Assert.NotEqual(SyntheticText.Step(Options, 42, 3, 0).Text, SyntheticText.Step(Options, 42, 3, 1).Text);
    }

    [Fact]
    public void The_final_answer_comes_at_the_configured_step_and_a_step_is_about_four_characters_a_token()
    {
        var (first, firstFinal) = SyntheticText.Step(Options, 1, 0, 0);
        var (last, lastFinal) = SyntheticText.Step(Options, 1, 0, 2);
        Assert.False(firstFinal);
        Assert.Equal(40, first.Length);
        Assert.True(lastFinal);
        Assert.Matches(@"\\boxed\{[0-4]\}", last);
    }

    [Fact]
    public void Scores_are_in_the_unit_interval_stable_and_depend_on_the_steps_so_far()
    {
        string[] steps = ["a", "b", "c"];
        var s = Enumerable.Range(0, 3).Select(i => SyntheticText.Score("p", steps, i)).ToList();
        Assert.All(s, x => Assert.InRange(x, 0.0, 1.0));
        Assert.Equal(s[1], SyntheticText.Score("p", ["a", "b", "zzz"], 1));
        Assert.NotEqual(s[1], SyntheticText.Score("q", steps, 1));
        // FNV-1a of fixed bytes: the same in every process (string.GetHashCode is not)
        Assert.Equal(SyntheticText.Score("p", steps, 2), SyntheticText.Score("p", ["a", "b", "c"], 2));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("onnx", false)]
    [InlineData("Synthetic", true)]
    public void The_backend_option_reads_onnx_or_synthetic(string? value, bool synthetic) =>
        Assert.Equal(synthetic, SyntheticText.IsSynthetic(value));

    [Fact]
    public void An_unknown_backend_is_refused_naming_the_setting() =>
        Assert.Contains("Inference__Backend", Assert.Throws<InvalidOperationException>(() => SyntheticText.IsSynthetic("vllm")).Message);
}
