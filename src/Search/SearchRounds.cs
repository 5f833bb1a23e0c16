namespace Pipeline.Search;

internal static class SearchRounds
{
    /// <summary>The Aggregator calls Plan after round nextRound-1 is scored: a node from a later round means
    /// the caller mixed up rounds, and planning on would silently redo or skip work.</summary>
    public static void Check(IReadOnlyList<TreeNode> tree, int nextRound)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentOutOfRangeException.ThrowIfNegative(nextRound);
        if (nextRound == 0 && tree.Count > 0)
            throw new ArgumentException($"round 0 is planned on an empty tree, but the tree has {tree.Count} nodes", nameof(tree));
        foreach (var n in tree)
            if (n.Round >= nextRound)
                throw new ArgumentException($"planning round {nextRound}, but node {n.NodeId} is from round {n.Round}", nameof(tree));
    }
}
