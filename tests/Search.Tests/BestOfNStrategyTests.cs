using Pipeline.Contracts;

namespace Pipeline.Search.Tests;

public class BestOfNStrategyTests
{
    [Fact]
    public void Round_zero_samples_N_whole_solutions_from_the_problem()
    {
        var plan = StrategyFactory.Create(StrategyConfig.BestOfN(8)).Plan([], 0);
        Assert.False(plan.Done);
        var e = Assert.Single(plan.Expansions);
        Assert.Equal(new PlannedExpansion(null, 8, GenerationMode.Solution), e);
        Assert.Equal(0, plan.LookaheadSteps);
    }

    [Fact]
    public void After_scoring_it_finishes_with_every_leaf_in_sample_order()
    {
        var tree = new TreeBuilder();
        // stored out of order, with different step counts, one cut without an answer
        var leaf2 = tree.Sample(null, 0, 0, 2, [0.5, 0.6], "3");
        var leaf0 = tree.Sample(null, 0, 0, 0, [0.9], "1");
        var leaf1 = tree.Sample(null, 0, 0, 1, [0.1, 0.2, 0.3], null);
        var plan = new BestOfNStrategy(StrategyConfig.BestOfN(3)).Plan(tree.Nodes, 1);
        Assert.True(plan.Done);
        Assert.Empty(plan.Expansions);
        Assert.Equal([leaf0, leaf1, leaf2], plan.FinalCandidates);
    }

    [Fact]
    public void Budgets_are_nested_prefixes_of_the_samples_with_their_tokens()
    {
        var tree = new TreeBuilder();
        var leaves = new List<long>();
        for (var s = 0; s < 6; s++)
            leaves.Add(tree.Sample(null, 0, 0, s, [0.1 * s, 0.5], $"{s}", generatedPerStep: 10 + s, prompt: 7));
        var strategy = new BestOfNStrategy(StrategyConfig.BestOfN(6));
        var finals = strategy.Plan(tree.Nodes, 1).FinalCandidates;
        var slices = strategy.Budgets(tree.Nodes, finals);

        Assert.Equal([1, 2, 4, 6], slices.Select(b => b.Budget));
        foreach (var slice in slices)
        {
            Assert.Equal(leaves.Take(slice.Budget), slice.Candidates.Select(c => c.NodeId));
            // each sample: prompt 7 + two steps of (10+s) tokens; the PRM reads the same sequence
            long expected = Enumerable.Range(0, slice.Budget).Sum(s => 7 + 2 * (10 + s));
            Assert.Equal(new TokenCount(expected, 0, expected), slice.Tokens);
            // the outcome row's split: the first n samples' generated and prompt tokens
            Assert.Equal(new TokenSplit(Enumerable.Range(0, slice.Budget).Sum(s => 2L * (10 + s)), 7L * slice.Budget), slice.Split);
        }
        Assert.Equal([0.1, 0.5], slices[^1].Candidates[1].StepScores.Select(x => Math.Round(x, 9)));
        Assert.Equal("5", slices[^1].Candidates[5].Answer);
    }

    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(2, new[] { 1, 2 })]
    [InlineData(16, new[] { 1, 2, 4, 8, 16 })]
    [InlineData(12, new[] { 1, 2, 4, 8, 12 })]
    public void Nested_budgets_are_powers_of_two_then_N(int n, int[] expected) =>
        Assert.Equal(expected, NestedBudgets.UpTo(n));

    [Fact]
    public void Planning_refuses_mixed_up_rounds()
    {
        var tree = new TreeBuilder();
        tree.Sample(null, 0, 0, 0, [0.5], "1");
        var strategy = new BestOfNStrategy(StrategyConfig.BestOfN(1));
        Assert.Throws<ArgumentException>(() => strategy.Plan(tree.Nodes, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => strategy.Plan([], -1));
    }
}
