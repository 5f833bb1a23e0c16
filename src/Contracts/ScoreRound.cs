namespace Pipeline.Contracts;

/// <summary>ProposalWorker -> VerifierWorker: the round's samples, to be scored by the PRM.</summary>
public sealed record ScoreRound(ExpandRound Request, IReadOnlyList<ProposedCandidate> Candidates);
