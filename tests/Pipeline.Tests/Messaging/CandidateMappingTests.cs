using Pipeline.Contracts;
using Pipeline.Inference;
using Pipeline.ProposalWorker;
using EngineStep = Pipeline.Inference.GeneratedStep;

namespace Pipeline.Tests.Messaging;

/// <summary>Engine samples -> contract candidates: every generated token is accounted for somewhere.</summary>
public sealed class CandidateMappingTests
{
    private static GeneratedSample Sample(int generated, string finish, bool terminal, params (string Text, int Tokens)[] steps) =>
        new(3, steps.Select(s => new EngineStep(s.Text, s.Tokens)).ToList(), "", 17, generated, finish, terminal, []);

    [Fact]
    public void The_trailing_EOS_token_is_charged_to_the_last_step()
    {
        var c = CandidateMapping.Candidate(new ExpansionRequest(2, 9, ["p"], 4, 1),
            Sample(13, FinishReasons.Eos, true, ("a = 1", 6), ("The answer is $\\boxed{1}$.", 6)), GenerationMode.Solution, 8);

        Assert.Equal((2, 3, 9L, 17, true, FinishReason.Eos), (c.RequestIndex, c.SampleIndex, c.ParentNodeId!.Value, c.PromptTokens, c.Terminal, c.FinishReason));
        Assert.Equal([6, 7], c.Steps.Select(s => s.GeneratedTokens));
    }

    [Fact]
    public void A_solution_longer_than_max_steps_is_cut_there_and_not_terminal()
    {
        var c = CandidateMapping.Candidate(new ExpansionRequest(0, null, [], 1, 1),
            Sample(9, FinishReasons.Eos, true, ("a", 3), ("b", 3), ("c", 3)), GenerationMode.Solution, 2);

        Assert.Equal(["a", "b"], c.Steps.Select(s => s.Text));
        Assert.Equal((false, FinishReason.MaxSteps), (c.Terminal, c.FinishReason));
    }

    [Fact]
    public void A_rollout_that_only_emitted_EOS_keeps_its_token_as_an_empty_step()
    {
        Assert.Equal([new Pipeline.Contracts.GeneratedStep("", 1)], CandidateMapping.Rollout([], 1, 2));
        Assert.Equal(["x"], CandidateMapping.Rollout([new EngineStep("x", 2), new EngineStep("y", 2)], 4, 1).Select(s => s.Text));
    }
}
