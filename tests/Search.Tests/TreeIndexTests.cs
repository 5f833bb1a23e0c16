using Pipeline.Grading;
using Pipeline.Search.Aggregation;

namespace Pipeline.Search.Tests;

public class TreeIndexTests
{
    private static TreeNode Node(long id, long? parent, int round = 0) => new(id, parent, 1, round, 0, (int)id, "t", 0.5, false, null, 1);

    [Fact]
    public void Malformed_trees_are_refused_with_the_node_named()
    {
        var dup = Assert.Throws<ArgumentException>(() => new TreeIndex([Node(1, null), Node(1, null)]));
        Assert.Contains("node id 1 appears twice", dup.Message);
        var orphan = Assert.Throws<ArgumentException>(() => new TreeIndex([Node(1, null), Node(2, 9)]));
        Assert.Contains("node 2 names parent 9, which is not in the tree", orphan.Message);
        var nan = Assert.Throws<ArgumentException>(() => new TreeIndex([Node(1, null) with { Score = double.NaN }]));
        Assert.Contains("node 1 (round 0) has PRM score NaN", nan.Message);
        var strategy = StrategyFactory.Create(StrategyConfig.Beam(4, 2));
        Assert.Throws<ArgumentException>(() => strategy.Plan([Node(1, null), Node(2, 9)], 1));
    }

    [Fact]
    public void Paths_and_samples_follow_parent_links()
    {
        var tree = new TreeBuilder();
        var a = tree.Sample(null, 0, 0, 0, [0.1, 0.2], "1");
        var b = tree.Sample(a, 1, 0, 0, [0.3, 0.4, 0.5], "2");
        var index = new TreeIndex(tree.Nodes);
        Assert.Equal(5, index.PathTo(b).Count);
        Assert.Equal([0.3, 0.4, 0.5], index.SampleOf(b).Select(n => n.Score));
        Assert.Equal(index.PathTo(a)[0], index.Origin(b));
        Assert.Equal([b], index.SampleLeaves(1).Select(n => n.NodeId));
        Assert.Equal(index.PathTo(b).Select(n => n.Text), TreePaths.PrefixSteps(tree.Nodes, b));
    }

    [Fact]
    public void Works_with_the_real_grader()
    {
        // MathAnswerGrader: "\frac{1}{2}" and "0.5" share a key, so they vote together.
        var cs = new Candidate[] { new(1, "3", [0.9]), new(2, "\\frac{1}{2}", [0.5]), new(3, "0.5", [0.5]) };
        var selection = new AnswerSelection(cs, MathAnswerGrader.Instance);
        Assert.Equal("\\frac{1}{2}", selection.Weighted(StepAggregation.Last));
        Assert.Equal("3", selection.Naive(StepAggregation.Last));
        Assert.True(selection.IsCorrect(selection.Majority(), "1/2"));
    }
}
