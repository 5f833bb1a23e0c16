namespace Pipeline.Search;

/// <summary>
/// The one place that turns tokens into FLOPs: inference costs 2 * parameters per token processed
/// (Kaplan et al.; the paper's D_inference accounting), for every model involved:
/// FLOPs = 2 * P_policy * policy tokens + 2 * P_revision * revision tokens + 2 * P_prm * verifier tokens.
/// </summary>
public static class ComputeCost
{
    public static double Flops(TokenCount tokens, ModelSizes sizes)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(sizes);
        if (tokens.RevisionTokens > 0 && sizes.RevisionParameters <= 0)
            throw new ArgumentException("revision tokens were spent but the revision model's parameter count is not set", nameof(sizes));
        return 2.0 * sizes.PolicyParameters * tokens.PolicyTokens
             + 2.0 * sizes.RevisionParameters * tokens.RevisionTokens
             + 2.0 * sizes.VerifierParameters * tokens.VerifierTokens;
    }

    /// <summary>A policy node (Step or Solution mode): the policy reads its prompt (problem + prefix), writes the
    /// step and its rollout; the PRM reads that same sequence once to score it.</summary>
    public static TokenCount OfPolicyNode(TreeNode n)
    {
        long seen = (long)n.PromptTokens + n.GeneratedTokens + n.LookaheadTokens;
        return new TokenCount(seen, 0, seen);
    }

    public static TokenCount OfPolicyNodes(IEnumerable<TreeNode> nodes) => TokenCount.Sum(nodes.Select(OfPolicyNode));

    /// <summary>A revision attempt: the revision model reads problem + earlier attempts and writes the attempt;
    /// the PRM reads only the problem prompt (<paramref name="problemPromptTokens"/>) and the attempt.</summary>
    public static TokenCount OfRevisionAttempt(IReadOnlyList<TreeNode> attempt, long problemPromptTokens)
    {
        long prompt = attempt.Sum(n => (long)n.PromptTokens), generated = attempt.Sum(n => (long)n.GeneratedTokens);
        return new TokenCount(0, prompt + generated, problemPromptTokens + generated);
    }
}
