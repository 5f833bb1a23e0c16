namespace Pipeline.Contracts;

/// <summary>One generated step of a candidate, with what it cost.</summary>
/// <param name="Text">The step without its delimiter. Empty only for a lookahead rollout that ended at once (EOS).</param>
/// <param name="GeneratedTokens">Tokens sampled for it, its delimiter (or a final EOS) included.</param>
public sealed record GeneratedStep(string Text, int GeneratedTokens);
