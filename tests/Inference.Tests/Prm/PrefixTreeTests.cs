namespace Pipeline.Inference.Tests.Prm;

public class PrefixTreeTests
{
    private static int[] Cat(params int[][] parts) => parts.SelectMany(p => p).ToArray();
    private static int[] Range(int start, int count) => Enumerable.Range(start, count).ToArray();

    // Each input's nodes, by position, run from 0 to its end without a gap or an overlap.
    private static void AssertPathsCoverEachInput(IReadOnlyList<int[]> inputs, IReadOnlyList<PrefixNode> nodes)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            var path = nodes.Where(n => n.Members.Contains(i)).OrderBy(n => n.Start).ToList();
            Assert.Equal(0, path[0].Start);
            for (var k = 1; k < path.Count; k++) Assert.Equal(path[k - 1].End, path[k].Start);
            Assert.Equal(inputs[i].Length, path[^1].End);
        }
    }

    [Fact]
    public void Beams_share_the_problem_then_their_own_steps()
    {
        var problem = Range(1000, 40);
        int[] Beam(int b) => [.. problem, .. Range(2000 + 100 * b, 30)];
        var inputs = new List<int[]>();
        for (var b = 0; b < 2; b++)
            for (var c = 0; c < 3; c++)
                inputs.Add([.. Beam(b), .. Range(5000 + 50 * (3 * b + c), 20)]);
        var nodes = PrefixTree.Plan(inputs, minSegment: 16);

        // problem (level 0), 2 beams (level 1), 6 candidates' steps (level 2)
        Assert.Equal([1, 2, 6], nodes.GroupBy(n => n.Level).OrderBy(g => g.Key).Select(g => g.Count()));
        var root = Assert.Single(nodes, n => n.Level == 0);
        Assert.Equal((0, 40), (root.Start, root.End));
        Assert.Equal(6, root.Members.Length);
        Assert.All(nodes.Where(n => n.Level == 1), n => Assert.Equal((40, 70, 3), (n.Start, n.End, n.Members.Length)));
        Assert.All(nodes.Where(n => n.Level == 2), n => Assert.Equal((70, 90, 1), (n.Start, n.End, n.Members.Length)));
        // Every input's positions are covered once along its path.
        for (var i = 0; i < inputs.Count; i++)
            Assert.Equal(inputs[i].Length, nodes.Where(n => n.Members.Contains(i)).Sum(n => n.End - n.Start));
        // 40 + 2*30 + 6*20 positions instead of 6*90.
        Assert.Equal(220, nodes.Sum(n => n.End - n.Start));
    }

    [Fact]
    public void Short_common_runs_are_not_shared()
    {
        var inputs = new List<int[]> { Cat(Range(1, 5), Range(100, 30)), Cat(Range(1, 5), Range(200, 30)), Range(300, 10) };
        var nodes = PrefixTree.Plan(inputs, minSegment: 16);
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.Equal((0, 0, 1), (n.Level, n.Start, n.Members.Length)));
    }

    [Fact]
    public void Duplicates_and_prefixes_of_other_inputs_end_inside_a_node()
    {
        var a = Range(1, 40);
        var inputs = new List<int[]> { a, a.ToArray(), Cat(a, Range(500, 20)), Range(1, 20) };
        var nodes = PrefixTree.Plan(inputs, minSegment: 16);
        AssertPathsCoverEachInput(inputs, nodes);
        Assert.Equal(60, nodes.Sum(n => n.End - n.Start));   // 20 + 20 + 20: everything scored once
    }

    [Fact]
    public void Parents_come_before_children_and_one_level_down()
    {
        var rng = new Random(3);
        var inputs = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, rng.Next(20, 80)).Select(_ => rng.Next(3)).ToArray()).ToList();
        var nodes = PrefixTree.Plan(inputs, minSegment: 4);
        for (var i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            Assert.True(n.End > n.Start || n.Parent < 0);
            if (n.Parent < 0) { Assert.Equal(0, n.Start); continue; }
            Assert.True(n.Parent < i);
            Assert.Equal(nodes[n.Parent].Level + 1, n.Level);
            Assert.Equal(nodes[n.Parent].End, n.Start);
            Assert.Subset(nodes[n.Parent].Members.ToHashSet(), n.Members.ToHashSet());
            foreach (var m in n.Members)
                Assert.True(inputs[m].Take(n.End).SequenceEqual(inputs[n.Members[0]].Take(n.End)));
        }
        for (var i = 0; i < inputs.Count; i++)
            Assert.Equal(inputs[i].Length, nodes.Where(n => n.Members.Contains(i)).Sum(n => n.End - n.Start));
    }

    [Fact]
    public void A_short_run_shared_by_several_problems_is_folded_and_each_problem_keeps_its_tree()
    {
        // A chat header all problems share, then two problems that start with the same three words (MATH-500 has many
        // "What is the ...") and one that does not, then each problem's two beams of three candidates.
        var header = Range(1, 30);
        var inputs = new List<int[]>();
        for (var p = 0; p < 3; p++)
        {
            int[] problem = [.. header, .. p < 2 ? new[] { 7, 8, 9 } : [4, 5, 6], .. Range(1000 + 100 * p, 40)];
            for (var b = 0; b < 2; b++)
                for (var c = 0; c < 3; c++)
                    inputs.Add([.. problem, .. Range(2000 + 100 * (2 * p + b), 30), .. Range(5000 + 50 * (6 * p + 3 * b + c), 20)]);
        }
        var nodes = PrefixTree.Plan(inputs, minSegment: 16);

        // header (level 0); each problem from the header's end, its first words included (level 1); 6 beams; 18 steps
        Assert.Equal([1, 3, 6, 18], nodes.GroupBy(n => n.Level).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.All(nodes.Where(n => n.Level == 1), n => Assert.Equal((30, 73, 6), (n.Start, n.End, n.Members.Length)));
        Assert.All(nodes.Where(n => n.Level == 2), n => Assert.Equal((73, 103, 3), (n.Start, n.End, n.Members.Length)));
        Assert.All(nodes.Where(n => n.Level == 3), n => Assert.Equal((103, 123, 1), (n.Start, n.End, n.Members.Length)));
        Assert.Equal(30 + 3 * 43 + 6 * 30 + 18 * 20, nodes.Sum(n => n.End - n.Start));
    }

    [Fact]
    public void Inputs_that_share_only_a_short_run_and_end_inside_it_still_cover_their_positions()
    {
        var inputs = new List<int[]> { Range(1, 3), Cat(Range(1, 3), Range(100, 30)), Cat(Range(1, 3), Range(100, 30), Range(7, 5)), Range(1, 2) };
        var nodes = PrefixTree.Plan(inputs, minSegment: 16);
        AssertPathsCoverEachInput(inputs, nodes);
        // 3 + 2 run alone; the two long ones share their 33 tokens, the longer adds 5
        Assert.Equal(3 + 2 + 33 + 5, nodes.Sum(n => n.End - n.Start));
    }
}
