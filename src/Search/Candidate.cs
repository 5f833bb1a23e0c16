namespace Pipeline.Search;

/// <summary>One final candidate solution, as answer aggregation sees it.</summary>
/// <param name="NodeId">Its last step.</param>
/// <param name="Answer">Extracted final answer; null when none (it then never wins, but counts in the budget).</param>
/// <param name="StepScores">PRM score of each of its steps, first to last.</param>
/// <param name="Group">Revision chain (or DVTS subtree) it belongs to, for hierarchical selection.</param>
public sealed record Candidate(long NodeId, string? Answer, IReadOnlyList<double> StepScores, int Group = 0)
{
    /// <summary>Reads a candidate off the tree: its steps are the path down to the leaf, or for a revision attempt
    /// (<paramref name="sampleOnly"/>) only the steps of that attempt.</summary>
    public static Candidate FromTree(TreeIndex tree, long leafId, int group = 0, bool sampleOnly = false)
    {
        var leaf = tree[leafId];
        var steps = sampleOnly ? tree.SampleOf(leafId) : tree.PathTo(leafId);
        return new Candidate(leafId, leaf.Answer, steps.Select(n => n.Score).ToList(), group);
    }
}

/// <summary>One reported budget n: the candidates that budget had, in sample order, and what producing them cost,
/// by model (<paramref name="Tokens"/>, for FLOPs) and as generated/prompt tokens of the tree nodes the budget
/// covers (<paramref name="Split"/>, for the outcome row). The strategy that reports nested budgets is the one
/// that knows which nodes each covers.</summary>
public sealed record BudgetSlice(int Budget, IReadOnlyList<Candidate> Candidates, TokenCount Tokens, TokenSplit Split);
