using Pipeline.Contracts;

namespace Pipeline.Search;

/// <summary>
/// Diverse verifier tree search (search-and-learn's dvts): N/M independent subtrees. Round 0 samples M first
/// steps for each subtree (one request per subtree, so round 0's request index names the subtree). After each
/// round, every open subtree keeps the best of its M new steps and samples M steps under it; a subtree closes
/// when its best new step ends the solution, when a round gave it nothing, or at MaxRounds (the last allowed
/// round writes its M continuations to their end). Its final candidates are the M samples of its last round.
/// With <see cref="StrategyConfig.FilterDuplicates"/> no two subtrees expand the same partial solution in one round
/// while they have another open step. Exact rule: docs/strategies.md.
/// </summary>
public sealed class DvtsStrategy : ISearchStrategy
{
    public DvtsStrategy(StrategyConfig config)
    {
        if (config.Kind != StrategyKind.Dvts) throw new ArgumentException($"{config.Label} is not DVTS", nameof(config));
        Config = config.EnsureValid();
    }

    public StrategyConfig Config { get; }

    private int M => Config.EffectiveBeamWidth;
    private int Subtrees => Config.Budget / M;

    public RoundPlan Plan(IReadOnlyList<TreeNode> tree, int nextRound)
    {
        SearchRounds.Check(tree, nextRound);
        if (nextRound == 0)
            return RoundPlan.Expand(Enumerable.Range(0, Subtrees).Select(_ => new PlannedExpansion(null, M, ModeOf(0))).ToList());

        var index = new TreeIndex(tree);
        var expansions = new List<PlannedExpansion>();
        var finals = new List<long>();
        var expanded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, latest) in LatestGroups(index))
        {
            var ranked = latest.OrderByDescending(n => n.Score).ThenBy(n => n.NodeId).ToList();
            var best = ranked[0];
            var open = latest[0].Round == nextRound - 1 && !best.Terminal && nextRound < Config.MaxRounds;
            if (open) expansions.Add(new PlannedExpansion(Config.FilterDuplicates ? Distinct(index, ranked, expanded) : best.NodeId, M, ModeOf(nextRound)));
            else finals.AddRange(latest.Select(n => n.NodeId));
        }
        return expansions.Count > 0 ? RoundPlan.Expand(expansions) : RoundPlan.Finish(finals);
    }

    /// <summary>Subtrees are independent, so budget n (a multiple of M) reads the first n/M subtrees, their
    /// candidates and their cost. With M = sqrt only n = N is reported: a part of the run would not be a
    /// sqrt(n)-wide DVTS.</summary>
    public IReadOnlyList<BudgetSlice> Budgets(IReadOnlyList<TreeNode> tree, IReadOnlyList<long> finalCandidates)
    {
        var index = new TreeIndex(tree);
        var candidates = finalCandidates.Select(id => Candidate.FromTree(index, id, index.Origin(id).RequestIndex)).ToList();
        var budgets = Config.BeamWidthIsSqrt ? [Config.Budget] : NestedBudgets.UpTo(Config.Budget).Where(n => n % M == 0);
        return budgets.Select(n =>
        {
            var subtrees = n / M;
            var nodes = tree.Where(node => index.Origin(node.NodeId).RequestIndex < subtrees).ToList();
            return new BudgetSlice(n, candidates.Where(c => c.Group < subtrees).ToList(), ComputeCost.OfPolicyNodes(nodes), TokenSplit.Of(nodes));
        }).ToList();
    }

    /// <summary>Duplicate filtering: siblings of one subtree never compete for a slot (it keeps one step), but
    /// subtrees do converge on the same partial solution (a first step with one right text). An open subtree then
    /// expands its best open step whose text no earlier subtree expands this round; when every open step it has
    /// is taken, its best (it has no other way to go on).</summary>
    private static long Distinct(TreeIndex index, IReadOnlyList<TreeNode> ranked, HashSet<string> expanded)
    {
        var open = ranked.Where(n => !n.Terminal).ToList();
        // the first whose partial solution is new this round (Add says so); else the best, already taken
        return (open.FirstOrDefault(n => expanded.Add(DistinctBeams.PrefixKey(index, n.NodeId))) ?? open[0]).NodeId;
    }

    /// <summary>As in beam search, the last allowed round writes each subtree's M continuations to their end.</summary>
    private GenerationMode ModeOf(int round) => round == Config.MaxRounds - 1 ? GenerationMode.Solution : GenerationMode.Step;

    /// <summary>For each subtree (by round-0 request index, in order): the last steps of its samples from the
    /// latest round it has, in sample order.</summary>
    private static IEnumerable<(int Subtree, IReadOnlyList<TreeNode> Latest)> LatestGroups(TreeIndex index) =>
        index.Nodes.GroupBy(n => index.Origin(n.NodeId).RequestIndex)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var round = g.Max(n => n.Round);
                IReadOnlyList<TreeNode> latest = index.SampleLeaves(round).Where(n => index.Origin(n.NodeId).RequestIndex == g.Key).ToList();
                return (g.Key, latest);
            });
}
