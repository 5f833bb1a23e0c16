namespace Pipeline.Search;

/// <summary>Tokens one search (or one budget of it) spent, by the model that processed them.</summary>
/// <param name="PolicyTokens">Prompt + generated + lookahead-rollout tokens of the policy.</param>
/// <param name="RevisionTokens">Prompt (with earlier attempts) + generated tokens of the revision model.</param>
/// <param name="VerifierTokens">Tokens the PRM read to score.</param>
public sealed record TokenCount(long PolicyTokens, long RevisionTokens, long VerifierTokens)
{
    public static readonly TokenCount Zero = new(0, 0, 0);

    public long GeneratorTokens => PolicyTokens + RevisionTokens;

    public static TokenCount operator +(TokenCount a, TokenCount b) =>
        new(a.PolicyTokens + b.PolicyTokens, a.RevisionTokens + b.RevisionTokens, a.VerifierTokens + b.VerifierTokens);

    public static TokenCount Sum(IEnumerable<TokenCount> counts) => counts.Aggregate(Zero, (a, b) => a + b);
}

/// <summary>Tokens of the tree nodes a budget covers, as an outcome row reports them.</summary>
/// <param name="Generated">Generated tokens, lookahead rollouts included (policy and revision model alike).</param>
/// <param name="Prompt">Prompt tokens of the generation calls that made those nodes.</param>
public sealed record TokenSplit(long Generated, long Prompt)
{
    public static TokenSplit Of(IEnumerable<TreeNode> nodes)
    {
        long generated = 0, prompt = 0;
        foreach (var n in nodes)
        {
            generated += n.GeneratedTokens + n.LookaheadTokens;
            prompt += n.PromptTokens;
        }
        return new TokenSplit(generated, prompt);
    }
}

/// <summary>Parameter counts of the models of a run (manifest "parameter_count").</summary>
public sealed record ModelSizes(long PolicyParameters, long VerifierParameters, long RevisionParameters = 0);
