using Pipeline.Contracts;

namespace Pipeline.Search;

/// <summary>Best-of-N: round 0 samples N whole solutions from the problem; the search ends when they are scored.
/// Samples are i.i.d., so budget n reads the first n of them.</summary>
public sealed class BestOfNStrategy : ISearchStrategy
{
    public BestOfNStrategy(StrategyConfig config)
    {
        if (config.Kind != StrategyKind.BestOfN) throw new ArgumentException($"{config.Label} is not best-of-N", nameof(config));
        Config = config.EnsureValid();
    }

    public StrategyConfig Config { get; }

    public RoundPlan Plan(IReadOnlyList<TreeNode> tree, int nextRound)
    {
        SearchRounds.Check(tree, nextRound);
        if (nextRound == 0) return RoundPlan.Expand([new PlannedExpansion(null, Config.Budget, GenerationMode.Solution)]);
        return RoundPlan.Finish(new TreeIndex(tree).SampleLeaves(0).Select(n => n.NodeId).ToList());
    }

    public IReadOnlyList<BudgetSlice> Budgets(IReadOnlyList<TreeNode> tree, IReadOnlyList<long> finalCandidates)
    {
        var index = new TreeIndex(tree);
        var candidates = finalCandidates.Select(id => Candidate.FromTree(index, id)).ToList();
        var costs = finalCandidates.Select(id => ComputeCost.OfPolicyNodes(index.SampleOf(id))).ToList();
        return NestedBudgets.UpTo(Config.Budget)
            .Select(n => new BudgetSlice(n, candidates.Take(n).ToList(), TokenCount.Sum(costs.Take(n)),
                TokenSplit.Of(tree.Where(node => index.Origin(node.NodeId).SampleIndex < n))))
            .ToList();
    }
}
