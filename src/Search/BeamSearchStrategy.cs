using Pipeline.Contracts;

namespace Pipeline.Search;

/// <summary>
/// PRM beam search (the paper's BFS-V), and lookahead search when k &gt; 0 (each step then carries the PRM
/// score at the end of its k-step greedy rollout). Round 0 samples N first steps; every later round keeps the
/// N/M best open steps of the previous round and samples M next steps under each. A step that ends its
/// solution becomes a final candidate at once. The search stops when no open step is left, when N final
/// candidates exist, or after MaxRounds rounds. Rules and tie-breaks: docs/strategies.md.
/// </summary>
public sealed class BeamSearchStrategy : ISearchStrategy
{
    public BeamSearchStrategy(StrategyConfig config)
    {
        if (config.Kind is not (StrategyKind.Beam or StrategyKind.Lookahead))
            throw new ArgumentException($"{config.Label} is not beam or lookahead search", nameof(config));
        Config = config.EnsureValid();
    }

    public StrategyConfig Config { get; }

    private int N => Config.Budget;
    private int M => Config.EffectiveBeamWidth;

    public RoundPlan Plan(IReadOnlyList<TreeNode> tree, int nextRound)
    {
        SearchRounds.Check(tree, nextRound);
        if (nextRound == 0) return RoundPlan.Expand([new PlannedExpansion(null, N, GenerationMode.Step)], Config.Lookahead);

        // Completion order: search-and-learn keeps the first N completed beams, so once N exist no later
        // round can change the result and stopping saves the remaining rounds.
        var completed = TreeIndex.InSampleOrder(tree.Where(n => n.Terminal)).Select(n => n.NodeId).ToList();
        if (completed.Count >= N) return RoundPlan.Finish(completed.Take(N).ToList());

        var open = tree.Where(n => n.Round == nextRound - 1 && !n.Terminal)
            .OrderByDescending(n => n.Score).ThenBy(n => n.NodeId)
            .ToList();
        if (open.Count == 0) return RoundPlan.Finish(completed);
        if (nextRound >= Config.MaxRounds)
            return RoundPlan.Finish(completed.Concat(open.Select(n => n.NodeId)).Take(N).ToList());

        var kept = open.Take(N / M).Select(n => new PlannedExpansion(n.NodeId, M, GenerationMode.Step)).ToList();
        return RoundPlan.Expand(kept, Config.Lookahead);
    }

    /// <summary>Beam search reports budget N only (its rounds depend on N); the cost is the whole tree, pruned
    /// branches and rollouts included.</summary>
    public IReadOnlyList<BudgetSlice> Budgets(IReadOnlyList<TreeNode> tree, IReadOnlyList<long> finalCandidates)
    {
        var index = new TreeIndex(tree);
        var candidates = finalCandidates.Select(id => Candidate.FromTree(index, id)).ToList();
        return [new BudgetSlice(N, candidates, ComputeCost.OfPolicyNodes(tree))];
    }
}
