using Pipeline.Contracts;

namespace Pipeline.Search;

/// <summary>A stored node of a search tree, as strategies see it (one row of the per-step table).</summary>
/// <param name="Score">PRM score of this step (for lookahead search: the score at the end of its rollout).</param>
/// <param name="Answer">Extracted final answer when <paramref name="Terminal"/>; else null.</param>
public sealed record TreeNode(
    long NodeId,
    long? ParentId,
    int Depth,
    int Round,
    int RequestIndex,
    int SampleIndex,
    string Text,
    double Score,
    bool Terminal,
    string? Answer,
    int GeneratedTokens);

/// <summary>One parent to extend Count times in the next round (null parent: the problem itself).</summary>
public sealed record PlannedExpansion(long? ParentNodeId, int Count, GenerationMode Mode);

/// <summary>What a strategy wants next: more expansions, or the end with its final candidates (leaf node ids).</summary>
public sealed record RoundPlan(IReadOnlyList<PlannedExpansion> Expansions, IReadOnlyList<long> FinalCandidates, bool Done)
{
    public static RoundPlan Finish(IReadOnlyList<long> finalCandidates) => new([], finalCandidates, true);
    public static RoundPlan Expand(IReadOnlyList<PlannedExpansion> expansions) => new(expansions, [], false);
}

/// <summary>
/// A search strategy as pure code: no I/O, deterministic. The Aggregator keeps the tree in PostgreSQL,
/// calls <see cref="Plan"/> after every scored round (round 0 with an empty tree) and turns the plan into
/// one <see cref="ExpandRound"/> message. Best-of-N is the one-round case.
/// </summary>
public interface ISearchStrategy
{
    RoundPlan Plan(IReadOnlyList<TreeNode> tree, int nextRound);
}
