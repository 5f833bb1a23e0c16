namespace Pipeline.Contracts;

/// <summary>VerifierWorker -> Aggregator: the round's samples with a PRM score on every new step.</summary>
public sealed record RoundScored(ExpandRound Request, IReadOnlyList<ScoredCandidate> Candidates);
