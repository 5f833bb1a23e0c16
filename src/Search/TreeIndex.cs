namespace Pipeline.Search;

/// <summary>Lookups over one search tree (ids, children, paths, samples). Throws on a malformed tree
/// (duplicate ids, a parent that is not in the tree) rather than planning from half a tree.</summary>
public sealed class TreeIndex
{
    private readonly Dictionary<long, TreeNode> _byId = [];
    private readonly Dictionary<long, List<TreeNode>> _children = [];
    private readonly Dictionary<long, TreeNode> _origins = [];
    private readonly Dictionary<int, IReadOnlyList<TreeNode>> _leaves = [];

    public TreeIndex(IReadOnlyList<TreeNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Nodes = nodes;
        foreach (var n in nodes)
        {
            if (!_byId.TryAdd(n.NodeId, n))
                throw new ArgumentException($"search tree: node id {n.NodeId} appears twice", nameof(nodes));
            // A NaN score would win or lose every comparison at random; no ranking is meaningful then.
            if (!double.IsFinite(n.Score))
                throw new ArgumentException($"search tree: node {n.NodeId} (round {n.Round}) has PRM score {n.Score}, not a finite number", nameof(nodes));
        }
        foreach (var n in nodes)
        {
            if (n.ParentId is not { } p) continue;
            if (!_byId.ContainsKey(p))
                throw new ArgumentException($"search tree: node {n.NodeId} names parent {p}, which is not in the tree", nameof(nodes));
            if (!_children.TryGetValue(p, out var list)) _children[p] = list = [];
            list.Add(n);
        }
    }

    public IReadOnlyList<TreeNode> Nodes { get; }

    public TreeNode this[long nodeId] =>
        _byId.TryGetValue(nodeId, out var n) ? n : throw new ArgumentException($"search tree: no node with id {nodeId}");

    public IReadOnlyList<TreeNode> Children(long nodeId) => _children.TryGetValue(nodeId, out var c) ? c : [];

    /// <summary>Sample order: round, then request index, then sample index, then depth (steps of one sample).</summary>
    public static IOrderedEnumerable<TreeNode> InSampleOrder(IEnumerable<TreeNode> nodes) =>
        nodes.OrderBy(n => n.Round).ThenBy(n => n.RequestIndex).ThenBy(n => n.SampleIndex).ThenBy(n => n.Depth).ThenBy(n => n.NodeId);

    /// <summary>The last step of every sample generated in <paramref name="round"/>, in sample order
    /// (a Step-mode sample is one node; a Solution/Revision sample is a chain of nodes sharing its keys).</summary>
    public IReadOnlyList<TreeNode> SampleLeaves(int round)
    {
        if (_leaves.TryGetValue(round, out var known)) return known;
        var leaves = Nodes.Where(n => n.Round == round)
            .GroupBy(n => (n.RequestIndex, n.SampleIndex))
            .Select(g => g.OrderByDescending(n => n.Depth).ThenByDescending(n => n.NodeId).First())
            .OrderBy(n => n.RequestIndex).ThenBy(n => n.SampleIndex).ThenBy(n => n.NodeId)
            .ToList();
        _leaves[round] = leaves;
        return leaves;
    }

    /// <summary>Nodes from the root down to <paramref name="nodeId"/>, root first.</summary>
    public IReadOnlyList<TreeNode> PathTo(long nodeId)
    {
        var path = new List<TreeNode>();
        for (TreeNode? n = this[nodeId]; n is not null; n = n.ParentId is { } p ? this[p] : null)
        {
            path.Add(n);
            if (path.Count > _byId.Count) throw new ArgumentException($"search tree: the parent links above node {nodeId} form a cycle");
        }
        path.Reverse();
        return path;
    }

    /// <summary>The nodes of the one sample that ends at <paramref name="leafId"/>: the path upwards while the
    /// round stays the same (a revision attempt's first step hangs under the previous attempt's last step).</summary>
    public IReadOnlyList<TreeNode> SampleOf(long leafId)
    {
        var leaf = this[leafId];
        var path = PathTo(leafId);
        var start = path.Count - 1;
        while (start > 0 && path[start - 1].Round == leaf.Round) start--;
        return path.Skip(start).ToList();
    }

    /// <summary>The round-0 node at the top of <paramref name="nodeId"/>'s path (it names the subtree or chain).</summary>
    public TreeNode Origin(long nodeId)
    {
        // Memoised along the walk: DVTS and revisions ask for every node, and paths run up to MaxRounds deep.
        var walked = new List<long>();
        var at = this[nodeId];
        TreeNode? origin = null;
        while (origin is null)
        {
            if (_origins.TryGetValue(at.NodeId, out var known)) origin = known;
            else if (at.ParentId is not { } parent) origin = at;
            else
            {
                walked.Add(at.NodeId);
                if (walked.Count > _byId.Count) throw new ArgumentException($"search tree: the parent links above node {nodeId} form a cycle");
                at = this[parent];
            }
        }
        _origins[at.NodeId] = origin;
        foreach (var id in walked) _origins[id] = origin;
        return origin;
    }
}
