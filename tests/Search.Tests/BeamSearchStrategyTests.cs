using Pipeline.Contracts;

namespace Pipeline.Search.Tests;

public class BeamSearchStrategyTests
{
    [Fact]
    public void Round_zero_samples_N_first_steps()
    {
        var plan = StrategyFactory.Create(StrategyConfig.Beam(16, 4)).Plan([], 0);
        Assert.Equal([new PlannedExpansion(null, 16, GenerationMode.Step)], plan.Expansions);
        Assert.Equal(0, plan.LookaheadSteps);
    }

    [Fact]
    public void Keeps_the_top_N_over_M_open_steps_and_expands_each_M_times()
    {
        var tree = new TreeBuilder();
        var ids = new List<long>();
        double[] scores = [0.1, 0.9, 0.3, 0.8, 0.2, 0.7, 0.95, 0.4];
        for (var s = 0; s < 8; s++) ids.Add(tree.Step(null, 0, 0, s, scores[s]));
        var plan = new BeamSearchStrategy(StrategyConfig.Beam(8, 2)).Plan(tree.Nodes, 1);
        Assert.False(plan.Done);
        // top 4 by score, best first: 0.95 (s6), 0.9 (s1), 0.8 (s3), 0.7 (s5)
        Assert.Equal([ids[6], ids[1], ids[3], ids[5]], plan.Expansions.Select(e => e.ParentNodeId!.Value));
        Assert.All(plan.Expansions, e => { Assert.Equal(2, e.Count); Assert.Equal(GenerationMode.Step, e.Mode); });
    }

    [Fact]
    public void Equal_scores_keep_the_lowest_node_ids()
    {
        var tree = new TreeBuilder();
        var ids = Enumerable.Range(0, 4).Select(s => tree.Step(null, 0, 0, s, 0.5)).ToList();
        var plan = new BeamSearchStrategy(StrategyConfig.Beam(4, 2)).Plan(tree.Nodes, 1);
        Assert.Equal([ids[0], ids[1]], plan.Expansions.Select(e => e.ParentNodeId!.Value));
    }

    [Fact]
    public void Only_the_last_rounds_open_steps_are_candidates_for_expansion()
    {
        var tree = new TreeBuilder();
        var a = tree.Step(null, 0, 0, 0, 0.99);
        var b = tree.Step(null, 0, 0, 1, 0.1);
        var b1 = tree.Step(b, 1, 0, 0, 0.2);
        var b2 = tree.Step(b, 1, 0, 1, 0.3, terminal: true, answer: "4");
        var plan = new BeamSearchStrategy(StrategyConfig.Beam(2, 2)).Plan(tree.Nodes, 2);
        Assert.Equal([new PlannedExpansion(b1, 2, GenerationMode.Step)], plan.Expansions);
        Assert.DoesNotContain(plan.Expansions, e => e.ParentNodeId == a || e.ParentNodeId == b2);
    }

    [Fact]
    public void Beams_that_finish_early_are_kept_while_the_others_go_on()
    {
        // N = 4, M = 2. Round 0: sample 0 ends at once with the top score; the rest go on until round 2.
        var strategy = new BeamSearchStrategy(StrategyConfig.Beam(4, 2));
        var run = SearchDriver.Drive(strategy,
            score: (round, parent, s) => round == 0 && s == 0 ? 0.99 : 0.5 - 0.01 * s,
            terminal: (round, parent, s) => (round == 0 && s == 0) || round == 2);
        var first = run.Tree.Nodes.Single(n => n.Round == 0 && n.SampleIndex == 0);
        Assert.True(first.Terminal);
        // round 1 expands the 2 best OPEN steps (not the finished one), 2 each
        Assert.Equal(2, run.Plans[1].Expansions.Count);
        Assert.DoesNotContain(run.Plans[1].Expansions, e => e.ParentNodeId == first.NodeId);
        Assert.Equal(4, run.Plans[1].Expansions.Sum(e => e.Count));
        // round 2: every new step ends; 1 + 4 completed >= N: the first N in completion order
        Assert.True(run.Last.Done);
        Assert.Equal(4, run.Last.FinalCandidates.Count);
        Assert.Equal(first.NodeId, run.Last.FinalCandidates[0]);
        var round2 = run.Tree.Nodes.Where(n => n.Round == 2).OrderBy(n => n.RequestIndex).ThenBy(n => n.SampleIndex).Select(n => n.NodeId);
        Assert.Equal(round2.Take(3), run.Last.FinalCandidates.Skip(1));
    }

    [Fact]
    public void Stops_as_soon_as_N_candidates_are_complete()
    {
        var tree = new TreeBuilder();
        var ids = Enumerable.Range(0, 4).Select(s => tree.Step(null, 0, 0, s, 0.2 * s, terminal: s != 2, answer: s != 2 ? "1" : null)).ToList();
        // N = 3: three complete steps end the search although step 2 is still open
        var plan = new BeamSearchStrategy(StrategyConfig.Beam(3, 3)).Plan(tree.Nodes, 1);
        Assert.True(plan.Done);
        Assert.Equal([ids[0], ids[1], ids[3]], plan.FinalCandidates);
    }

    [Fact]
    public void Ends_with_fewer_candidates_when_no_open_step_is_left()
    {
        var tree = new TreeBuilder();
        var a = tree.Step(null, 0, 0, 0, 0.5);
        var b = tree.Step(null, 0, 0, 1, 0.5, terminal: true, answer: "2");
        var a1 = tree.Step(a, 1, 0, 0, 0.5, terminal: true, answer: "3");
        var a2 = tree.Step(a, 1, 0, 1, 0.5, terminal: true, answer: "3");
        // N = 4: only 3 complete, but nothing is open
        var plan = new BeamSearchStrategy(StrategyConfig.Beam(4, 2)).Plan(tree.Nodes, 2);
        Assert.True(plan.Done);
        Assert.Equal([b, a1, a2], plan.FinalCandidates);
    }

    [Fact]
    public void MaxRounds_ends_the_search_and_open_beams_become_candidates()
    {
        var config = StrategyConfig.Beam(4, 2) with { MaxRounds = 3 };
        var run = SearchDriver.Drive(new BeamSearchStrategy(config),
            score: (round, parent, s) => 0.1 * (s + 1) + 0.01 * round,
            terminal: (round, parent, s) => round == 1 && s == 1);
        Assert.Equal(4, run.Plans.Count); // rounds 0, 1, 2 expanded, then the finish
        Assert.True(run.Last.Done);
        Assert.Equal(Enumerable.Repeat(4, 3), run.Plans.Take(3).Select(p => p.Expansions.Sum(e => e.Count)));
        // the last allowed round writes the kept beams to their end
        Assert.Equal([GenerationMode.Step, GenerationMode.Step, GenerationMode.Solution],
            run.Plans.Take(3).Select(p => p.Expansions.Select(e => e.Mode).Distinct().Single()));
        // the two completed round-1 steps come first, then the open beams' last steps, best first
        var completed = run.Tree.Nodes.Where(n => n.Terminal).Select(n => n.NodeId).ToList();
        Assert.Equal(2, completed.Count);
        var lastRound = new TreeIndex(run.Tree.Nodes).SampleLeaves(2).OrderByDescending(n => n.Score).ThenBy(n => n.NodeId).Select(n => n.NodeId);
        Assert.Equal(completed.Concat(lastRound.Take(2)), run.Last.FinalCandidates);
        Assert.All(run.Last.FinalCandidates.Skip(2), id => Assert.Equal(4, run.Tree[id].Depth));
    }

    [Fact]
    public void Every_round_spends_N_generations_while_enough_beams_are_open()
    {
        var strategy = StrategyFactory.Create(StrategyConfig.Beam(16)); // M = sqrt = 4
        var run = SearchDriver.Drive(strategy, score: (r, p, s) => (s * 7 + r * 3 + (int)(p ?? 0)) % 11 / 11.0, terminal: (r, p, s) => r == 5);
        foreach (var plan in run.Plans.SkipLast(1))
        {
            Assert.Equal(16, plan.Expansions.Sum(e => e.Count));
            Assert.All(plan.Expansions.Skip(plan.Expansions[0].ParentNodeId is null ? 1 : 0), e => Assert.Equal(4, e.Count));
        }
        Assert.Equal(7, run.Plans.Count);
        Assert.Equal(16, run.Last.FinalCandidates.Count);
        Assert.All(run.Last.FinalCandidates, id => Assert.True(run.Tree[id].Terminal));
    }

    [Fact]
    public void Lookahead_search_asks_for_k_rollout_steps_and_pays_for_them()
    {
        var strategy = StrategyFactory.Create(StrategyConfig.LookaheadSearch(4, lookahead: 2, beamWidth: 2));
        Assert.IsType<BeamSearchStrategy>(strategy);
        var run = SearchDriver.Drive(strategy, score: (r, p, s) => 0.5 + 0.1 * s, terminal: (r, p, s) => r == 1,
            generated: 10, prompt: 5, lookahead: 20);
        Assert.All(run.Plans.Where(p => !p.Done), p => Assert.Equal(2, p.LookaheadSteps));
        var lastRound = StrategyConfig.LookaheadSearch(4, 2, 2) with { MaxRounds = 2 };
        var final = new BeamSearchStrategy(lastRound).Plan(run.Tree.Nodes.Where(n => n.Round == 0).ToList(), 1);
        Assert.Equal(0, final.LookaheadSteps); // no rollout after a whole solution
        Assert.All(final.Expansions, e => Assert.Equal(GenerationMode.Solution, e.Mode));
        var slice = Assert.Single(strategy.Budgets(run.Tree.Nodes, run.Last.FinalCandidates));
        Assert.Equal(4, slice.Budget);
        // 4 nodes in round 0 + 4 in round 1, each 5 prompt + 10 step + 20 rollout
        Assert.Equal(new TokenCount(8 * 35, 0, 8 * 35), slice.Tokens);
        Assert.All(slice.Candidates, c => Assert.Equal(2, c.StepScores.Count));
    }
}
