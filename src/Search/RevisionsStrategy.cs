using Pipeline.Contracts;

namespace Pipeline.Search;

/// <summary>
/// Sequential revisions: N/L chains of L attempts. Round 0 samples N/L whole solutions from the policy (one
/// request; sample i starts chain i). Round r (1..L-1) asks the revision model for one new attempt per chain,
/// parented on the last step of the chain's attempt from round r-1 (the Aggregator shows the chain's attempts
/// as PreviousAttempts). After round L-1 every attempt is a final candidate, chain by chain.
/// </summary>
public sealed class RevisionsStrategy : ISearchStrategy
{
    public RevisionsStrategy(StrategyConfig config)
    {
        if (config.Kind != StrategyKind.Revisions) throw new ArgumentException($"{config.Label} is not revisions", nameof(config));
        Config = config.EnsureValid();
    }

    public StrategyConfig Config { get; }

    private int Chains => Config.Budget / Config.ChainLength;

    public RoundPlan Plan(IReadOnlyList<TreeNode> tree, int nextRound)
    {
        SearchRounds.Check(tree, nextRound);
        if (nextRound == 0) return RoundPlan.Expand([new PlannedExpansion(null, Chains, GenerationMode.Solution)]);

        var index = new TreeIndex(tree);
        if (nextRound < Config.ChainLength)
        {
            // A chain whose previous attempt came back empty has nothing to revise: it stops there.
            var next = AttemptLeaves(index, nextRound - 1)
                .Select(leaf => new PlannedExpansion(leaf.NodeId, 1, GenerationMode.Revision))
                .ToList();
            if (next.Count > 0) return RoundPlan.Expand(next);
        }
        var finals = Enumerable.Range(0, nextRound)
            .SelectMany(round => AttemptLeaves(index, round))
            .OrderBy(leaf => ChainOf(index, leaf.NodeId)).ThenBy(leaf => leaf.Round)
            .Select(leaf => leaf.NodeId)
            .ToList();
        return RoundPlan.Finish(finals);
    }

    /// <summary>Revisions report budget N only. Round-0 attempts cost policy tokens; later attempts cost
    /// revision-model tokens (prompt with earlier attempts + generated), and the PRM reads the bare problem
    /// prompt (the chain's round-0 prompt tokens) plus the attempt.</summary>
    public IReadOnlyList<BudgetSlice> Budgets(IReadOnlyList<TreeNode> tree, IReadOnlyList<long> finalCandidates)
    {
        var index = new TreeIndex(tree);
        var candidates = finalCandidates
            .Select(id => Candidate.FromTree(index, id, ChainOf(index, id), sampleOnly: true))
            .ToList();
        var tokens = TokenCount.Zero;
        foreach (var round in tree.Select(n => n.Round).Distinct())
            foreach (var leaf in AttemptLeaves(index, round))
            {
                var attempt = index.SampleOf(leaf.NodeId);
                if (round == 0) tokens += ComputeCost.OfPolicyNodes(attempt);
                else
                {
                    var problemPrompt = index.SampleOf(FirstAttemptLeaf(index, leaf.NodeId)).Sum(n => (long)n.PromptTokens);
                    tokens += ComputeCost.OfRevisionAttempt(attempt, problemPrompt);
                }
            }
        return [new BudgetSlice(Config.Budget, candidates, tokens, TokenSplit.Of(tree))];
    }

    private static IEnumerable<TreeNode> AttemptLeaves(TreeIndex index, int round) =>
        index.SampleLeaves(round).OrderBy(leaf => ChainOf(index, leaf.NodeId));

    /// <summary>A chain is named by the sample index of its round-0 attempt.</summary>
    private static int ChainOf(TreeIndex index, long nodeId) => index.Origin(nodeId).SampleIndex;

    private static long FirstAttemptLeaf(TreeIndex index, long nodeId)
    {
        var path = index.PathTo(nodeId);
        return path.Last(n => n.Round == 0).NodeId;
    }
}
