using Pipeline.Contracts;

namespace Pipeline.Search;

/// <summary>
/// PRM beam search (the paper's BFS-V), and lookahead search when k &gt; 0 (each step then carries the PRM
/// score at the end of its k-step greedy rollout). Round 0 samples N first steps; every later round keeps the
/// N/M best open steps of the previous round and samples M next steps under each. A step that ends its
/// solution becomes a final candidate at once. The search stops when no open step is left, when N final
/// candidates exist, or after MaxRounds rounds (the last of which completes every kept beam in Solution mode).
/// With <see cref="StrategyConfig.FilterDuplicates"/> the kept steps are the N/M best distinct partial solutions.
/// Rules and tie-breaks: docs/strategies.md.
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
        if (nextRound == 0) return Expand([new PlannedExpansion(null, N, ModeOf(0))], 0);
        var index = new TreeIndex(tree);

        // Completion order: search-and-learn keeps the first N completed beams, so once N exist no later
        // round can change the result and stopping saves the remaining rounds.
        var completed = TreeIndex.InSampleOrder(tree.Where(n => n.Terminal)).Select(n => n.NodeId).ToList();
        if (completed.Count >= N) return RoundPlan.Finish(completed.Take(N).ToList());

        var open = index.SampleLeaves(nextRound - 1).Where(n => !n.Terminal)
            .OrderByDescending(n => n.Score).ThenBy(n => n.NodeId)
            .ToList();
        if (open.Count == 0) return RoundPlan.Finish(completed);
        if (nextRound >= Config.MaxRounds)
            return RoundPlan.Finish(completed.Concat(open.Select(n => n.NodeId)).Take(N).ToList());

        // With duplicate filtering the round still draws what the plain beam would (M under each of up to N/M
        // open steps), spread over the distinct ones: fewer distinct beams get more samples each.
        var samples = Math.Min(N / M, open.Count) * M;
        var beams = (Config.FilterDuplicates ? DistinctBeams.FirstOfEach(index, open) : open).Take(N / M).ToList();
        var counts = DistinctBeams.Split(samples, beams.Count);
        var kept = beams.Select((n, i) => new PlannedExpansion(n.NodeId, counts[i], ModeOf(nextRound))).ToList();
        return Expand(kept, nextRound);
    }

    /// <summary>The last allowed round writes each beam to its end (search-and-learn: "last iteration, generate
    /// to EOS"), so beams cut by MaxRounds still get an answer.</summary>
    private GenerationMode ModeOf(int round) => round == Config.MaxRounds - 1 ? GenerationMode.Solution : GenerationMode.Step;

    // No rollout after a whole solution.
    private RoundPlan Expand(IReadOnlyList<PlannedExpansion> expansions, int round) =>
        RoundPlan.Expand(expansions, ModeOf(round) == GenerationMode.Step ? Config.Lookahead : 0);

    /// <summary>Beam search reports budget N only (its rounds depend on N); the cost is the whole tree, pruned
    /// branches and rollouts included.</summary>
    public IReadOnlyList<BudgetSlice> Budgets(IReadOnlyList<TreeNode> tree, IReadOnlyList<long> finalCandidates)
    {
        var index = new TreeIndex(tree);
        var candidates = finalCandidates.Select(id => Candidate.FromTree(index, id)).ToList();
        return [new BudgetSlice(N, candidates, ComputeCost.OfPolicyNodes(tree), TokenSplit.Of(tree))];
    }
}
