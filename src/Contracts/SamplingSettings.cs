namespace Pipeline.Contracts;

/// <param name="Temperature">0 means greedy.</param>
/// <param name="MaxNewTokens">Token limit of one generation call (one step, or one whole solution).</param>
/// <param name="MaxSteps">Most steps in one solution; a longer one is cut there and marked not terminal.</param>
public sealed record SamplingSettings(double Temperature, double TopP, int MaxNewTokens, int MaxSteps);
