using Pipeline.Contracts;

namespace Pipeline.Search.Tests;

public class DvtsStrategyTests
{
    [Fact]
    public void Round_zero_starts_N_over_M_subtrees_of_M_first_steps()
    {
        var plan = StrategyFactory.Create(StrategyConfig.Dvts(16, 4)).Plan([], 0);
        Assert.Equal(4, plan.Expansions.Count);
        Assert.All(plan.Expansions, e => Assert.Equal(new PlannedExpansion(null, 4, GenerationMode.Step), e));
    }

    [Fact]
    public void Each_subtree_extends_the_best_of_its_own_M_steps()
    {
        var tree = new TreeBuilder();
        // subtree 0: scores 0.2, 0.6 ; subtree 1: 0.9, 0.1 ; subtree 2: 0.5, 0.5 (tie -> lower id)
        var s0 = new[] { tree.Step(null, 0, 0, 0, 0.2), tree.Step(null, 0, 0, 1, 0.6) };
        var s1 = new[] { tree.Step(null, 0, 1, 0, 0.9), tree.Step(null, 0, 1, 1, 0.1) };
        var s2 = new[] { tree.Step(null, 0, 2, 0, 0.5), tree.Step(null, 0, 2, 1, 0.5) };
        var plan = new DvtsStrategy(StrategyConfig.Dvts(6, 2)).Plan(tree.Nodes, 1);
        // the global top-3 would be 0.9, 0.6, 0.5: DVTS instead keeps one per subtree
        Assert.Equal([s0[1], s1[0], s2[0]], plan.Expansions.Select(e => e.ParentNodeId!.Value));
        Assert.All(plan.Expansions, e => Assert.Equal(2, e.Count));
    }

    [Fact]
    public void A_subtree_closes_when_its_best_step_ends_and_keeps_its_M_siblings()
    {
        // N = 4, M = 2: subtree 0's best first step ends at once; subtree 1 goes on one more round.
        var strategy = new DvtsStrategy(StrategyConfig.Dvts(4, 2));
        var tree = new TreeBuilder();
        var a0 = tree.Step(null, 0, 0, 0, 0.9, terminal: true, answer: "1");
        var a1 = tree.Step(null, 0, 0, 1, 0.4);
        var b0 = tree.Step(null, 0, 1, 0, 0.3);
        var b1 = tree.Step(null, 0, 1, 1, 0.8);
        var plan1 = strategy.Plan(tree.Nodes, 1);
        Assert.Equal([new PlannedExpansion(b1, 2, GenerationMode.Step)], plan1.Expansions);

        var c0 = tree.Step(b1, 1, 0, 0, 0.2);
        var c1 = tree.Step(b1, 1, 0, 1, 0.7, terminal: true, answer: "2");
        var plan2 = strategy.Plan(tree.Nodes, 2);
        Assert.True(plan2.Done);
        // subtree 0: its round-0 siblings; subtree 1: its last round's siblings; subtree order, then sample order
        Assert.Equal([a0, a1, c0, c1], plan2.FinalCandidates);
        Assert.DoesNotContain(b0, plan2.FinalCandidates);
    }

    [Fact]
    public void Open_subtrees_spend_M_per_round_until_MaxRounds()
    {
        var config = StrategyConfig.Dvts(8, 2) with { MaxRounds = 5 };
        var run = SearchDriver.Drive(new DvtsStrategy(config), score: (r, p, s) => s == 1 ? 0.7 : 0.3, terminal: (r, p, s) => false);
        Assert.Equal(6, run.Plans.Count);
        Assert.All(run.Plans.Take(5), p => Assert.Equal(8, p.Expansions.Sum(e => e.Count)));
        Assert.All(run.Plans.Skip(1).Take(4), p => Assert.Equal(4, p.Expansions.Count));
        Assert.All(run.Plans.Take(4), p => Assert.All(p.Expansions, e => Assert.Equal(GenerationMode.Step, e.Mode)));
        Assert.All(run.Plans[4].Expansions, e => Assert.Equal(GenerationMode.Solution, e.Mode));
        // the candidates are the last steps of the final round's whole-solution samples
        Assert.All(run.Last.FinalCandidates, id => Assert.Equal(6, run.Tree[id].Depth));
        Assert.Equal(8, run.Last.FinalCandidates.Count);
        Assert.All(run.Last.FinalCandidates, id => Assert.Equal(4, run.Tree[id].Round));
    }

    [Fact]
    public void Budgets_nest_by_whole_subtrees()
    {
        var strategy = new DvtsStrategy(StrategyConfig.Dvts(8, 2));
        var run = SearchDriver.Drive(strategy, score: (r, p, s) => 0.5, terminal: (r, p, s) => r == 1, generated: 10, prompt: 0);
        var slices = strategy.Budgets(run.Tree.Nodes, run.Last.FinalCandidates);
        Assert.Equal([2, 4, 8], slices.Select(s => s.Budget)); // n = 1 cannot hold a subtree of M = 2
        foreach (var slice in slices)
        {
            Assert.Equal(slice.Budget, slice.Candidates.Count);
            Assert.Equal(run.Last.FinalCandidates.Take(slice.Budget), slice.Candidates.Select(c => c.NodeId));
            Assert.Equal(Enumerable.Range(0, slice.Budget / 2).SelectMany(g => new[] { g, g }), slice.Candidates.Select(c => c.Group));
            // each subtree: 2 first steps + 2 second steps of 10 tokens
            Assert.Equal(slice.Budget / 2 * 40, slice.Tokens.PolicyTokens);
            // the outcome row's split covers the same nodes: only the first n/M subtrees
            Assert.Equal(new TokenSplit(slice.Budget / 2 * 40, 0), slice.Split);
        }
    }

    [Fact]
    public void Sqrt_width_reports_budget_N_only()
    {
        var strategy = new DvtsStrategy(StrategyConfig.Dvts(16));
        var run = SearchDriver.Drive(strategy, score: (r, p, s) => 0.5, terminal: (r, p, s) => true);
        Assert.Equal(4, run.Plans[0].Expansions.Count);
        var slice = Assert.Single(strategy.Budgets(run.Tree.Nodes, run.Last.FinalCandidates));
        Assert.Equal(16, slice.Budget);
        Assert.Equal(16, slice.Candidates.Count);
    }
}
