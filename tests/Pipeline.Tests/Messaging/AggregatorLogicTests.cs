using Pipeline.Aggregator;
using Pipeline.Contracts;
using Pipeline.Grading;
using Pipeline.Search;
using Pipeline.ServiceDefaults;

namespace Pipeline.Tests.Messaging;

/// <summary>The Aggregator's pure parts: plan -> message, scored round -> rows, seeds, outcome token split.</summary>
public sealed class AggregatorLogicTests
{
    private static SearchSpec Spec(StrategyConfig strategy, string? revisionModel = null) => new(
        SearchId: 5, RunId: Guid.Parse("00000000-0000-0000-0000-0000000000aa"), ProblemId: 9,
        Problem: "Compute $2+3$.", GoldAnswer: "5", Status: "running", CurrentRound: 0, strategy,
        PolicyModel: "policy-a", PrmModel: "prm-a", RevisionModel: revisionModel,
        Sampling: new SamplingSettings(0.8, 1, 32, 8), Seed: 42, Sizes: new ModelSizes(1000, 500, 1000));

    private static TreeNode Node(long id, long? parent, int depth, int round, int request, int sample, string text,
        bool terminal = false, int prompt = 0) =>
        new(id, parent, depth, round, request, sample, text, 0.5, terminal, terminal ? "5" : null, 3, prompt);

    [Fact]
    public void A_step_round_carries_each_parent_path_and_a_seed_per_request()
    {
        var tree = new List<TreeNode> { Node(1, null, 1, 0, 0, 0, "2+3"), Node(2, 1, 2, 1, 0, 0, "=5") };
        var plan = RoundPlan.Expand([new PlannedExpansion(2, 2, GenerationMode.Step), new PlannedExpansion(1, 2, GenerationMode.Step)], 1);

        var m = RoundMessages.Build(Spec(StrategyConfig.Beam(4, 2)), tree, plan, 2);

        Assert.Equal(("policy-a", "prm-a", 2, 1), (m.PolicyModel, m.VerifierModel, m.Round, m.LookaheadSteps));
        Assert.Equal(["2+3", "=5"], m.Requests[0].PrefixSteps);
        Assert.Equal(["2+3"], m.Requests[1].PrefixSteps);
        Assert.Equal([0, 1], m.Requests.Select(r => r.Index));
        Assert.NotEqual(m.Requests[0].Seed, m.Requests[1].Seed);
        // the same plan again (a re-requested round) gives the same seeds
        Assert.Equal(m.Requests.Select(r => r.Seed), RoundMessages.Build(Spec(StrategyConfig.Beam(4, 2)), tree, plan, 2).Requests.Select(r => r.Seed));
    }

    [Fact]
    public void The_run_specs_system_prompt_travels_with_the_round()
    {
        var tree = new List<TreeNode> { Node(1, null, 1, 0, 0, 0, "2+3") };
        var plan = RoundPlan.Expand([new PlannedExpansion(1, 2, GenerationMode.Step)], 0);
        Assert.Null(RoundMessages.Build(Spec(StrategyConfig.Beam(4, 2)), tree, plan, 1).SystemPrompt);
        var spec = Spec(StrategyConfig.Beam(4, 2)) with { SystemPrompt = "Be brief." };
        Assert.Equal("Be brief.", RoundMessages.Build(spec, tree, plan, 1).SystemPrompt);
    }

    [Fact]
    public void A_revision_round_goes_to_the_revision_model_with_the_chain_as_attempts()
    {
        var tree = new List<TreeNode>
        {
            Node(1, null, 1, 0, 0, 0, "a1"), Node(2, 1, 2, 0, 0, 0, "a2", terminal: true),
            Node(3, 2, 3, 1, 0, 0, "b1", terminal: true),
        };
        var plan = RoundPlan.Expand([new PlannedExpansion(3, 1, GenerationMode.Revision)]);

        var m = RoundMessages.Build(Spec(StrategyConfig.Revisions(4, 4), "revision-a"), tree, plan, 2);

        Assert.Equal("revision-a", m.PolicyModel);
        Assert.Empty(m.Requests[0].PrefixSteps);
        Assert.Equal(2, m.Requests[0].PreviousAttempts!.Count);
        Assert.Equal(["a1", "a2"], m.Requests[0].PreviousAttempts![0]);
        Assert.Equal(["b1"], m.Requests[0].PreviousAttempts![1]);
        Assert.Throws<SearchFailedException>(() => RoundMessages.Build(Spec(StrategyConfig.Revisions(4, 4)), tree, plan, 2));
    }

    [Fact]
    public void Seeds_depend_on_every_part_and_nothing_else()
    {
        var s = Seeds.ForRequest(1, 2, 3, 4);
        Assert.Equal(s, Seeds.ForRequest(1, 2, 3, 4));
        Assert.True(s >= 0);
        Assert.Equal(4, new[] { Seeds.ForRequest(9, 2, 3, 4), Seeds.ForRequest(1, 9, 3, 4), Seeds.ForRequest(1, 2, 9, 4), Seeds.ForRequest(1, 2, 3, 9) }
            .Where(x => x != s).Distinct().Count());
    }

    [Fact]
    public void A_scored_round_becomes_rows_with_ids_after_the_tree_and_costs_on_the_right_steps()
    {
        var tree = new List<TreeNode> { Node(1, null, 1, 0, 0, 0, "2+3") };
        var request = new ExpandRound(Guid.Empty, 5, 1, "policy-a", "prm-a", "Compute $2+3$.", GenerationMode.Solution,
            new SamplingSettings(1, 1, 32, 8), 0, [new ExpansionRequest(0, 1, ["2+3"], 2, 7)]);
        var scored = new RoundScored(request,
        [
            // listed out of order on purpose: ids follow (request, sample), not arrival
            new ProposedCandidate(0, 1, 1, [new("= 6", 4)], 11, "length", false, StepScores: [0.1]),
            new ProposedCandidate(0, 0, 1, [new("= 5", 2), new("The answer is $\\boxed{5}$.", 9)], 10, "eos", true, StepScores: [0.7, 0.9]),
        ]);

        var stored = RoundRows.Build(Spec(StrategyConfig.Beam(4, 2)), scored, tree, MathAnswerGrader.Instance);

        Assert.Equal([2L, 3L, 4L], stored.Rows.Select(r => r.NodeId));
        var (first, answer, other) = (stored.Rows[0], stored.Rows[1], stored.Rows[2]);
        Assert.Equal((1L, 2, 0, 10, false), (first.ParentNodeId!.Value, first.Depth, first.StepIndex, first.PromptTokens, first.Terminal));
        Assert.Null(first.FinishReason);
        Assert.Equal((2L, 3, 1, 0, true, "eos"), (answer.ParentNodeId!.Value, answer.Depth, answer.StepIndex, answer.PromptTokens, answer.Terminal, answer.FinishReason));
        Assert.Equal(("5", true), (answer.ExtractedAnswer, answer.IsCorrect!.Value));
        Assert.Equal((1L, 1, 11, false), (other.ParentNodeId!.Value, other.SampleIndex, other.PromptTokens, other.Terminal));
        Assert.Null(other.IsCorrect);
        Assert.Equal(2 + 9 + 4, stored.GeneratedTokens);
        Assert.Equal(2, stored.Candidates);
    }

    [Fact]
    public void A_round_that_does_not_fit_the_stored_tree_is_refused_as_permanent()
    {
        var request = new ExpandRound(Guid.Empty, 5, 1, "policy-a", "prm-a", "p", GenerationMode.Step,
            new SamplingSettings(1, 1, 32, 8), 0, [new ExpansionRequest(0, 77, ["x"], 1, 7)]);
        var scored = new RoundScored(request, [new ProposedCandidate(0, 0, 77, [new("y", 1)], 3, "delimiter", false, StepScores: [0.5])]);

        var e = Assert.Throws<PermanentMessageException>(() => RoundRows.Build(Spec(StrategyConfig.Beam(4, 2)), scored, [], MathAnswerGrader.Instance));
        Assert.Contains("parent node 77 is not in the stored tree", e.Message);
    }

    [Fact]
    public void Nul_bytes_are_stored_as_replacement_characters() =>
        Assert.Equal("a\uFFFDb", RoundRows.StorableText("a\0b"));

    [Fact]
    public void A_nested_best_of_n_budget_costs_only_its_first_samples()
    {
        // four one-step samples of 3 generated tokens each; prompt 10 on each
        var tree = Enumerable.Range(0, 4).Select(i => Node(i + 1, null, 1, 0, 0, i, "s", terminal: true, prompt: 10)).ToList();
        var index = new TreeIndex(tree);
        var config = StrategyConfig.BestOfN(4);

        Assert.Equal((6L, 20L), OutcomeRows.Tokens(config, index, 2));
        Assert.Equal((12L, 40L), OutcomeRows.Tokens(config, index, 4));
    }
}
