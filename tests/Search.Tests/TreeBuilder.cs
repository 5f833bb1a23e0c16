using Pipeline.Contracts;

namespace Pipeline.Search.Tests;

/// <summary>Builds search trees the way the Aggregator stores them: one node per step, ids in insertion order.</summary>
internal sealed class TreeBuilder
{
    private readonly List<TreeNode> _nodes = [];
    private readonly Dictionary<long, TreeNode> _byId = [];
    private long _nextId = 1;

    public IReadOnlyList<TreeNode> Nodes => _nodes;

    public TreeNode this[long id] => _byId[id];

    public long Step(long? parent, int round, int request, int sample, double score,
        bool terminal = false, string? answer = null, int generated = 10, int prompt = 0, int lookahead = 0, string? text = null)
    {
        var depth = parent is { } p ? this[p].Depth + 1 : 1;
        var node = new TreeNode(_nextId++, parent, depth, round, request, sample, text ?? $"step r{round} q{request} s{sample} d{depth}",
            score, terminal, answer, generated, prompt, lookahead);
        _nodes.Add(node);
        _byId.Add(node.NodeId, node);
        return node.NodeId;
    }

    /// <summary>A whole Solution/Revision sample: one node per score; prompt tokens on its first step. Returns the leaf.</summary>
    public long Sample(long? parent, int round, int request, int sample, double[] scores, string? answer,
        int generatedPerStep = 10, int prompt = 0)
    {
        long? at = parent;
        for (var i = 0; i < scores.Length; i++)
        {
            var last = i == scores.Length - 1;
            at = Step(at, round, request, sample, scores[i], last && answer is not null, last ? answer : null,
                generatedPerStep, i == 0 ? prompt : 0);
        }
        return at!.Value;
    }
}

/// <summary>Plays the workers' part: answers every planned expansion with nodes whose score and ending come
/// from functions of (round, parent, sample), until the strategy is done. A Step-mode sample is one node; a
/// Solution-mode sample is two (the ending decides the second).</summary>
internal static class SearchDriver
{
    public sealed record Run(TreeBuilder Tree, IReadOnlyList<RoundPlan> Plans)
    {
        public RoundPlan Last => Plans[^1];
    }

    public static Run Drive(ISearchStrategy strategy, Func<int, long?, int, double> score, Func<int, long?, int, bool> terminal,
        int generated = 10, int prompt = 5, int lookahead = 0, Func<int, long?, int, string>? text = null)
    {
        var tree = new TreeBuilder();
        var plans = new List<RoundPlan>();
        for (var round = 0; round < 200; round++)
        {
            var plan = strategy.Plan(tree.Nodes, round);
            plans.Add(plan);
            if (plan.Done) return new Run(tree, plans);
            for (var r = 0; r < plan.Expansions.Count; r++)
            {
                var e = plan.Expansions[r];
                Assert.Equal(plan.Expansions[0].Mode, e.Mode);
                for (var s = 0; s < e.Count; s++)
                {
                    var end = terminal(round, e.ParentNodeId, s);
                    var answer = end ? $"a{round}" : null;
                    if (e.Mode == GenerationMode.Step)
                        tree.Step(e.ParentNodeId, round, r, s, score(round, e.ParentNodeId, s), end, answer, generated, prompt, lookahead,
                            text?.Invoke(round, e.ParentNodeId, s));
                    else
                        tree.Sample(e.ParentNodeId, round, r, s, [0.5, score(round, e.ParentNodeId, s)], answer, generated, prompt);
                }
            }
        }
        throw new InvalidOperationException("strategy never finished");
    }
}
