using Pipeline.Contracts;

namespace Pipeline.Search;

/// <summary>A stored node of a search tree, as strategies see it (one row of the per-step table).</summary>
/// <param name="Round">The round that generated this node; a Solution/Revision sample's steps all share it.</param>
/// <param name="Score">PRM score of this step (for lookahead search: the score at the end of its rollout).</param>
/// <param name="Answer">Extracted final answer when <paramref name="Terminal"/>; else null.</param>
/// <param name="GeneratedTokens">Tokens the policy generated for this step.</param>
/// <param name="PromptTokens">Tokens the policy read before generating this sample (ProposedCandidate.PromptTokens);
/// put it on the first step of a multi-step sample and 0 on the others, so a sample's nodes sum to it.</param>
/// <param name="LookaheadTokens">Tokens of the greedy rollout after this step (lookahead search), summed over rollout steps.</param>
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
    int GeneratedTokens,
    int PromptTokens = 0,
    int LookaheadTokens = 0);

/// <summary>One parent to extend Count times in the next round (null parent: the problem itself).</summary>
/// <remarks>Step and Solution mode continue the parent's solution: PrefixSteps = the steps from the root to the
/// parent (<see cref="TreePaths.PrefixSteps"/>). Beam, lookahead and DVTS use Solution mode WITH a parent in
/// their last allowed round (round MaxRounds-1), to write every kept beam to its end.
/// Revision mode: ParentNodeId is the last step of the chain's previous attempt; the new attempt starts from the
/// bare problem (no prefix steps) and sees the chain's attempts as PreviousAttempts
/// (<see cref="TreePaths.PreviousAttempts"/> builds them).</remarks>
public sealed record PlannedExpansion(long? ParentNodeId, int Count, GenerationMode Mode);

/// <summary>What a strategy wants next: more expansions, or the end with its final candidates (leaf node ids).</summary>
public sealed record RoundPlan(IReadOnlyList<PlannedExpansion> Expansions, IReadOnlyList<long> FinalCandidates, bool Done)
{
    /// <summary>k for <see cref="ExpandRound.LookaheadSteps"/>: greedy rollout steps after each sampled step (0: none).</summary>
    public int LookaheadSteps { get; init; }

    public static RoundPlan Finish(IReadOnlyList<long> finalCandidates) => new([], finalCandidates, true);
    public static RoundPlan Expand(IReadOnlyList<PlannedExpansion> expansions, int lookaheadSteps = 0) =>
        new(expansions, [], false) { LookaheadSteps = lookaheadSteps };
}

/// <summary>
/// A search strategy as pure code: no I/O, deterministic. The Aggregator keeps the tree in PostgreSQL,
/// calls <see cref="Plan"/> after every scored round (round 0 with an empty tree) and turns the plan into
/// one <see cref="ExpandRound"/> message. Best-of-N is the one-round case. Once a plan is Done, the
/// Aggregator hands the final candidates to <see cref="Aggregation.OutcomeEvaluator"/>, which asks <see cref="Budgets"/>
/// which budgets the run reports.
/// </summary>
public interface ISearchStrategy
{
    StrategyConfig Config { get; }

    RoundPlan Plan(IReadOnlyList<TreeNode> tree, int nextRound);

    /// <summary>The budgets n this finished search reports (nested ones for best-of-N and DVTS), each with its
    /// candidates in sample order and the tokens spent to produce them.</summary>
    IReadOnlyList<BudgetSlice> Budgets(IReadOnlyList<TreeNode> tree, IReadOnlyList<long> finalCandidates);
}
