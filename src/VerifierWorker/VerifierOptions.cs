using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

/// <summary>Bound from "Verifier" (env: Verifier__BatchSize, Verifier__BatchTimeLimitMs, ...): how many
/// ScoreRound messages go into one PRM batch.</summary>
public sealed class VerifierOptions : BatchConsumerOptions
{
    public const string Section = "Verifier";
}
