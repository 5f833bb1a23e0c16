using Pipeline.Contracts;

namespace Pipeline.Search.Tests;

/// <summary>Duplicate filtering (StrategyConfig.FilterDuplicates) in beam search and DVTS.</summary>
public class DistinctBeamsTests
{
    private static StrategyConfig Dedup(StrategyConfig c) => c with { FilterDuplicates = true };

    [Theory]
    [InlineData(16, 4, new[] { 4, 4, 4, 4 })]
    [InlineData(16, 3, new[] { 6, 5, 5 })]
    [InlineData(16, 1, new[] { 16 })]
    [InlineData(8, 3, new[] { 3, 3, 2 })]
    public void Split_is_even_and_the_better_beams_take_the_remainder(int total, int parts, int[] expected) =>
        Assert.Equal(expected, DistinctBeams.Split(total, parts));

    [Fact]
    public void Prefix_key_is_the_whole_step_list_whatever_the_texts_contain()
    {
        var tree = new TreeBuilder();
        var ab = tree.Step(null, 0, 0, 0, 0.5, text: "ab");
        var a = tree.Step(null, 0, 0, 1, 0.5, text: "a");
        var abC = tree.Step(ab, 1, 0, 0, 0.5, text: "c");
        var aBc = tree.Step(a, 1, 1, 0, 0.5, text: "bc");
        var abC2 = tree.Step(ab, 1, 0, 1, 0.5, text: "c");
        var index = new TreeIndex(tree.Nodes);
        Assert.NotEqual(DistinctBeams.PrefixKey(index, abC), DistinctBeams.PrefixKey(index, aBc));
        Assert.Equal(DistinctBeams.PrefixKey(index, abC), DistinctBeams.PrefixKey(index, abC2));
    }

    [Fact]
    public void Beam_keeps_the_best_distinct_steps_and_spends_the_same_samples()
    {
        // N = 8, M = 2: four beams of 2. Scores and texts: x 0.9, x 0.9, y 0.8, x 0.9, z 0.3, y 0.8, w 0.2, v 0.1
        var tree = new TreeBuilder();
        string[] texts = ["x", "x", "y", "x", "z", "y", "w", "v"];
        double[] scores = [0.9, 0.9, 0.8, 0.9, 0.3, 0.8, 0.2, 0.1];
        var ids = Enumerable.Range(0, 8).Select(s => tree.Step(null, 0, 0, s, scores[s], text: texts[s])).ToList();

        var plain = new BeamSearchStrategy(StrategyConfig.Beam(8, 2)).Plan(tree.Nodes, 1);
        Assert.Equal([ids[0], ids[1], ids[3], ids[2]], plain.Expansions.Select(e => e.ParentNodeId!.Value));

        var dedup = new BeamSearchStrategy(Dedup(StrategyConfig.Beam(8, 2))).Plan(tree.Nodes, 1);
        // x, y, z, w: the first (lowest id) of each text, best first
        Assert.Equal([ids[0], ids[2], ids[4], ids[6]], dedup.Expansions.Select(e => e.ParentNodeId!.Value));
        Assert.All(dedup.Expansions, e => { Assert.Equal(2, e.Count); Assert.Equal(GenerationMode.Step, e.Mode); });
    }

    [Fact]
    public void Beam_spreads_the_round_over_fewer_distinct_beams_the_better_ones_first()
    {
        // N = 16, M = 4: 16 open first steps, only 3 distinct texts; the round still draws 16 samples.
        var tree = new TreeBuilder();
        var ids = Enumerable.Range(0, 16).Select(s => tree.Step(null, 0, 0, s, s % 3 == 0 ? 0.9 : s % 3 == 1 ? 0.5 : 0.7,
            text: $"t{s % 3}")).ToList();
        var plan = new BeamSearchStrategy(Dedup(StrategyConfig.Beam(16, 4))).Plan(tree.Nodes, 1);
        Assert.Equal([ids[0], ids[2], ids[1]], plan.Expansions.Select(e => e.ParentNodeId!.Value));
        Assert.Equal([6, 5, 5], plan.Expansions.Select(e => e.Count));
    }

    [Fact]
    public void Beam_with_fewer_open_steps_than_beams_draws_what_the_plain_beam_draws()
    {
        // N = 16, M = 4, two open steps with one text: the plain beam expands both (8 samples); so does the filter, under one.
        var tree = new TreeBuilder();
        var a = tree.Step(null, 0, 0, 0, 0.6, text: "same");
        tree.Step(null, 0, 0, 1, 0.6, text: "same");
        for (var s = 2; s < 16; s++) tree.Step(null, 0, 0, s, 0.5, terminal: true, answer: "1", text: $"end{s}");
        var plan = new BeamSearchStrategy(Dedup(StrategyConfig.Beam(16, 4))).Plan(tree.Nodes, 1);
        Assert.Equal([new PlannedExpansion(a, 8, GenerationMode.Step)], plan.Expansions);
    }

    [Fact]
    public void Beam_counts_identical_prefixes_under_different_parents_once()
    {
        // N = 4, M = 2. Round 0 kept "a" and "b"; round 1: "a"+"c" (0.9), "b"+"c" (0.8), "a"+"c" again (0.85), "b"+"d" (0.1).
        var tree = new TreeBuilder();
        var a = tree.Step(null, 0, 0, 0, 0.9, text: "a");
        var b = tree.Step(null, 0, 0, 1, 0.8, text: "b");
        tree.Step(null, 0, 0, 2, 0.1, text: "e");
        tree.Step(null, 0, 0, 3, 0.1, text: "f");
        var ac = tree.Step(a, 1, 0, 0, 0.9, text: "c");
        tree.Step(a, 1, 0, 1, 0.85, text: "c");
        var bc = tree.Step(b, 1, 1, 0, 0.8, text: "c");
        tree.Step(b, 1, 1, 1, 0.1, text: "d");
        var plan = new BeamSearchStrategy(Dedup(StrategyConfig.Beam(4, 2))).Plan(tree.Nodes, 2);
        Assert.Equal([ac, bc], plan.Expansions.Select(e => e.ParentNodeId!.Value));
    }

    [Fact]
    public void Dvts_subtrees_do_not_expand_the_same_partial_solution()
    {
        // N = 6, M = 2: subtree 0 and 1 both rank "x" first; subtree 1 takes its next open step "y".
        // Subtree 2 has only "x" and a terminal step: it keeps its best open one although subtree 0 has it too.
        var tree = new TreeBuilder();
        var s0 = new[] { tree.Step(null, 0, 0, 0, 0.9, text: "x"), tree.Step(null, 0, 0, 1, 0.2, text: "z") };
        var s1 = new[] { tree.Step(null, 0, 1, 0, 0.9, text: "x"), tree.Step(null, 0, 1, 1, 0.4, text: "y") };
        var s2 = new[] { tree.Step(null, 0, 2, 0, 0.9, text: "x"), tree.Step(null, 0, 2, 1, 0.8, terminal: true, answer: "3", text: "w") };

        var plain = new DvtsStrategy(StrategyConfig.Dvts(6, 2)).Plan(tree.Nodes, 1);
        Assert.Equal([s0[0], s1[0], s2[0]], plain.Expansions.Select(e => e.ParentNodeId!.Value));

        var dedup = new DvtsStrategy(Dedup(StrategyConfig.Dvts(6, 2))).Plan(tree.Nodes, 1);
        Assert.Equal([s0[0], s1[1], s2[0]], dedup.Expansions.Select(e => e.ParentNodeId!.Value));
        Assert.All(dedup.Expansions, e => Assert.Equal(2, e.Count));
    }

    [Fact]
    public void Dvts_subtree_whose_best_step_ends_still_closes()
    {
        // The closing rule is the plain one: a best step that ends the solution closes the subtree, filter or not.
        var tree = new TreeBuilder();
        var a0 = tree.Step(null, 0, 0, 0, 0.9, terminal: true, answer: "1", text: "x");
        var a1 = tree.Step(null, 0, 0, 1, 0.4, text: "y");
        var b0 = tree.Step(null, 0, 1, 0, 0.3, text: "y");
        tree.Step(null, 0, 1, 1, 0.2, text: "q");
        var plan = new DvtsStrategy(Dedup(StrategyConfig.Dvts(4, 2))).Plan(tree.Nodes, 1);
        Assert.Equal([new PlannedExpansion(b0, 2, GenerationMode.Step)], plan.Expansions);
        Assert.DoesNotContain(plan.Expansions, e => e.ParentNodeId == a0 || e.ParentNodeId == a1);
    }

    [Fact]
    public void A_filtered_search_plans_the_same_from_the_same_tree()
    {
        foreach (var config in new[] { Dedup(StrategyConfig.Beam(16, 4)), Dedup(StrategyConfig.Dvts(16, 4)) })
        {
            // three texts per parent, so the filter has duplicates to drop every round
            SearchDriver.Run Drive() => SearchDriver.Drive(StrategyFactory.Create(config), score: (r, p, s) => 0.5 + 0.01 * (s % 3),
                terminal: (r, p, s) => r == 3, text: (r, p, s) => $"t{s % 3}");
            var run = Drive();
            var again = Drive();
            if (config.Kind == StrategyKind.Beam) Assert.Contains(run.Plans, p => p.Expansions.Any(e => e.Count != 4));
            else Assert.Equal(3, run.Plans[1].Expansions.Select(e => run.Tree[e.ParentNodeId!.Value].Text).Distinct().Count());
            Assert.Equal(run.Tree.Nodes, again.Tree.Nodes);
            Assert.Equal(run.Last.FinalCandidates, again.Last.FinalCandidates);
            Assert.All(run.Plans.Where(p => !p.Done), p => Assert.Equal(16, p.Expansions.Sum(e => e.Count)));
        }
    }
}
