namespace Pipeline.Search;

/// <summary>Path helpers the Aggregator needs to build expansion requests from the stored tree. The
/// <see cref="TreeIndex"/> overloads let one round's requests share a single index of a large tree.</summary>
public static class TreePaths
{
    /// <summary>Step texts from the root down to <paramref name="nodeId"/> (ExpansionRequest.PrefixSteps).</summary>
    public static IReadOnlyList<string> PrefixSteps(IReadOnlyList<TreeNode> tree, long nodeId) => PrefixSteps(new TreeIndex(tree), nodeId);

    public static IReadOnlyList<string> PrefixSteps(TreeIndex index, long nodeId) =>
        index.PathTo(nodeId).Select(n => n.Text).ToList();

    /// <summary>
    /// The attempts of a revision chain whose latest attempt ends at <paramref name="lastAttemptLeafId"/>,
    /// oldest first, each as its step texts (ExpansionRequest.PreviousAttempts; the worker shows the last 4).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> PreviousAttempts(IReadOnlyList<TreeNode> tree, long lastAttemptLeafId) =>
        PreviousAttempts(new TreeIndex(tree), lastAttemptLeafId);

    public static IReadOnlyList<IReadOnlyList<string>> PreviousAttempts(TreeIndex index, long lastAttemptLeafId)
    {
        var attempts = new List<IReadOnlyList<string>>();
        long? leaf = lastAttemptLeafId;
        while (leaf is { } id)
        {
            var sample = index.SampleOf(id);
            attempts.Add(sample.Select(n => n.Text).ToList());
            leaf = sample[0].ParentId;
        }
        attempts.Reverse();
        return attempts;
    }
}
