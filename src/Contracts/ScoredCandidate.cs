namespace Pipeline.Contracts;

/// <summary>A <see cref="ProposedCandidate"/> with the verifier's PRM scores.</summary>
/// <param name="StepScores">PRM score per new step, one per <see cref="ProposedCandidate.Steps"/> entry (empty when it has none).</param>
/// <param name="LookaheadScore">PRM score at the end of the lookahead rollout; null without lookahead.</param>
public sealed record ScoredCandidate(ProposedCandidate Candidate, IReadOnlyList<double> StepScores, double? LookaheadScore = null);
