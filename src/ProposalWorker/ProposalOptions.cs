using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

/// <summary>Bound from "Proposal" (env: Proposal__BatchSize, Proposal__BatchTimeLimitMs, ...): how many
/// ExpandRound messages go into one engine batch.</summary>
public sealed class ProposalOptions : BatchConsumerOptions
{
    public const string Section = "Proposal";
}
