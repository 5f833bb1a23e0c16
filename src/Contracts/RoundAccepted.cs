namespace Pipeline.Contracts;

/// <summary>Worker -> Aggregator, when a batch starts: these rounds reached a worker. A round that no worker
/// accepted tells the Aggregator its message was lost rather than slow. <paramref name="Stage"/> is
/// "expand" (ProposalWorker) or "score" (VerifierWorker); <paramref name="Worker"/> is the host and process id.</summary>
public sealed record RoundAccepted(string Stage, string Worker, IReadOnlyList<RoundKey> Rounds);
