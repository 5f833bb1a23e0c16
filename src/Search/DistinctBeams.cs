using System.Globalization;
using System.Text;

namespace Pipeline.Search;

/// <summary>
/// Duplicate filtering for beam, lookahead and DVTS (<see cref="StrategyConfig.FilterDuplicates"/>, after
/// search-and-learn's <c>filter_duplicates</c>). A small policy often writes the same step text under one parent
/// (arithmetic steps have one right text), and two beams with the same text are the same partial solution: keeping
/// both spends a beam slot on nothing new. Two partial solutions are duplicates when their step texts from the
/// root are equal, which covers identical siblings and identical prefixes reached through different parents.
/// </summary>
public static class DistinctBeams
{
    /// <summary>The first node of each distinct partial solution, in the given (ranked) order.</summary>
    public static IReadOnlyList<TreeNode> FirstOfEach(TreeIndex index, IEnumerable<TreeNode> ranked)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return ranked.Where(n => seen.Add(PrefixKey(index, n.NodeId))).ToList();
    }

    /// <summary>The partial solution ending at <paramref name="nodeId"/> as one string: each step's length, then its
    /// text, so no choice of separator can make two different step lists equal.</summary>
    public static string PrefixKey(TreeIndex index, long nodeId)
    {
        var key = new StringBuilder();
        foreach (var step in index.PathTo(nodeId))
            key.Append(step.Text.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(step.Text);
        return key.ToString();
    }

    /// <summary><paramref name="total"/> samples over <paramref name="parts"/> beams, as even as possible, the
    /// better (earlier) beams taking the remainder: filtering changes which beams a round expands, never how many
    /// samples it draws.</summary>
    public static IReadOnlyList<int> Split(int total, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parts);
        return Enumerable.Range(0, parts).Select(i => total / parts + (i < total % parts ? 1 : 0)).ToList();
    }
}
