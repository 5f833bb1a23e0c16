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

/// <summary>Parameter counts of the models of a run (manifest "parameter_count").</summary>
public sealed record ModelSizes(long PolicyParameters, long VerifierParameters, long RevisionParameters = 0);
