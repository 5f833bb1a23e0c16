using Pipeline.Contracts;
using Pipeline.Search.Aggregation;

namespace Pipeline.Search.Tests;

public class RevisionsStrategyTests
{
    /// <summary>Plays 2 chains x 3 attempts (N = 6, L = 3): attempt r of chain c has 2 steps, answer per table.</summary>
    private static (TreeBuilder Tree, List<RoundPlan> Plans, long[,] Leaves) Play(string?[,] answers, double[,] lastScores)
    {
        var strategy = new RevisionsStrategy(StrategyConfig.Revisions(6, 3));
        var tree = new TreeBuilder();
        var plans = new List<RoundPlan>();
        var leaves = new long[2, 3];
        for (var round = 0; ; round++)
        {
            var plan = strategy.Plan(tree.Nodes, round);
            plans.Add(plan);
            if (plan.Done) return (tree, plans, leaves);
            if (round == 0)
            {
                var e = Assert.Single(plan.Expansions);
                Assert.Equal(new PlannedExpansion(null, 2, GenerationMode.Solution), e);
                // stored chain 1 first: chain order must come from sample indexes, not storage order
                for (var c = 1; c >= 0; c--)
                    leaves[c, 0] = tree.Sample(null, 0, 0, c, [0.5, lastScores[c, 0]], answers[c, 0], generatedPerStep: 10, prompt: 8);
                continue;
            }
            Assert.Equal(2, plan.Expansions.Count);
            for (var c = 0; c < 2; c++)
            {
                var e = plan.Expansions[c];
                Assert.Equal(new PlannedExpansion(leaves[c, round - 1], 1, GenerationMode.Revision), e);
                leaves[c, round] = tree.Sample(e.ParentNodeId, round, c, 0, [0.5, lastScores[c, round]], answers[c, round],
                    generatedPerStep: 10, prompt: 30 * round);
            }
        }
    }

    private static readonly string?[,] Answers = { { "1", "2", "2" }, { "3", null, "3" } };
    private static readonly double[,] Scores = { { 0.9, 0.3, 0.3 }, { 0.4, 0.99, 0.4 } };

    [Fact]
    public void Chains_revise_their_own_last_attempt_for_L_rounds_then_finish_chain_by_chain()
    {
        var (_, plans, leaves) = Play(Answers, Scores);
        Assert.Equal(4, plans.Count);
        var finals = plans[^1].FinalCandidates;
        Assert.Equal([leaves[0, 0], leaves[0, 1], leaves[0, 2], leaves[1, 0], leaves[1, 1], leaves[1, 2]], finals);
    }

    [Fact]
    public void Previous_attempts_are_the_chains_attempts_oldest_first()
    {
        var (tree, _, leaves) = Play(Answers, Scores);
        var attempts = TreePaths.PreviousAttempts(tree.Nodes, leaves[1, 1]);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(tree.Nodes.Where(n => n.Round == 0 && n.SampleIndex == 1).OrderBy(n => n.Depth).Select(n => n.Text), attempts[0]);
        Assert.Equal(tree.Nodes.Where(n => n.Round == 1 && n.RequestIndex == 1).OrderBy(n => n.Depth).Select(n => n.Text), attempts[1]);
    }

    [Fact]
    public void Candidates_score_only_their_own_attempt_and_name_their_chain()
    {
        var (tree, plans, _) = Play(Answers, Scores);
        var strategy = new RevisionsStrategy(StrategyConfig.Revisions(6, 3));
        var slice = Assert.Single(strategy.Budgets(tree.Nodes, plans[^1].FinalCandidates));
        Assert.Equal(6, slice.Budget);
        Assert.Equal([0, 0, 0, 1, 1, 1], slice.Candidates.Select(c => c.Group));
        Assert.All(slice.Candidates, c => Assert.Equal(2, c.StepScores.Count));
        Assert.Equal(0.99, slice.Candidates[4].StepScores[^1]);
        // policy: 2 round-0 attempts x (8 prompt + 20 generated) = 56
        // revision model: round 1: 2 x (30 + 20), round 2: 2 x (60 + 20) = 260
        // PRM: 6 attempts x (8 problem prompt + 20 generated) = 168
        Assert.Equal(new TokenCount(56, 260, 168), slice.Tokens);
    }

    [Fact]
    public void Selection_rows_include_hierarchical_and_majority_over_all()
    {
        var (tree, plans, _) = Play(Answers, Scores);
        var strategy = StrategyFactory.Create(StrategyConfig.Revisions(6, 3));
        var rows = OutcomeEvaluator.Evaluate(strategy, tree.Nodes, plans[^1].FinalCandidates, "3", KeyGrader.Instance, new ModelSizes(100, 10, 100));
        Assert.Equal(14, rows.Count);
        string? Pick(AnswerAggregator a, StepAggregation s) => rows.Single(r => r.Aggregator == a && r.StepAggregation == s).Answer;
        // chain 0 (last): 1 -> 0.9, 2 -> 0.6 -> "1" (0.9); chain 1: 3 -> 0.8 -> "3" (0.8); across: 1 wins 0.9 > 0.8
        Assert.Equal("1", Pick(AnswerAggregator.Hierarchical, StepAggregation.Last));
        // flat weighted: 1 -> 0.9, 2 -> 0.6, 3 -> 0.8 -> "1"; majority over all: 2 and 3 twice, 2 first
        Assert.Equal("1", Pick(AnswerAggregator.Weighted, StepAggregation.Last));
        Assert.Equal("2", Pick(AnswerAggregator.Majority, StepAggregation.None));
        // min: chain 0: 1 -> 0.5, 2 -> 0.3+0.3 = 0.6 -> "2" (0.6); chain 1: 3 -> 0.8; across -> "3"
        Assert.Equal("3", Pick(AnswerAggregator.Hierarchical, StepAggregation.Min));
        Assert.True(rows.Single(r => r.Aggregator == AnswerAggregator.Hierarchical && r.StepAggregation == StepAggregation.Min).Correct);
        Assert.Equal(2.0 * (100 * 56 + 100 * 260 + 10 * 168), rows[0].Flops);
    }

    [Fact]
    public void A_chain_with_one_attempt_finishes_after_round_zero()
    {
        var strategy = new RevisionsStrategy(StrategyConfig.Revisions(4, 1));
        Assert.Equal([new PlannedExpansion(null, 4, GenerationMode.Solution)], strategy.Plan([], 0).Expansions);
        var tree = new TreeBuilder();
        var leaves = Enumerable.Range(0, 4).Select(s => tree.Sample(null, 0, 0, s, [0.5], "1")).ToList();
        var plan = strategy.Plan(tree.Nodes, 1);
        Assert.True(plan.Done);
        Assert.Equal(leaves, plan.FinalCandidates);
    }
}
