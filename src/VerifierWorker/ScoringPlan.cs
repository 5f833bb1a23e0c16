using Pipeline.Contracts;

namespace Pipeline.VerifierWorker;

/// <summary>
/// Turns rounds into PRM inputs and the PRM's per-step scores back into scored candidates. Pure.
/// Each candidate with steps becomes one sequence: the parent's prefix, the new steps, then the lookahead rollout
/// (if any); the new steps' scores are read at their positions and the rollout's end gives the
/// lookahead score, so one forward pass serves both.
/// </summary>
public static class ScoringPlan
{
    public static List<ScoringSequence> Sequences(IReadOnlyList<ScoreRound> rounds)
    {
        var sequences = new List<ScoringSequence>();
        foreach (var round in rounds)
        {
            foreach (var c in round.Candidates.Where(c => c.Steps.Count > 0))
            {
                var steps = new List<string>(PrefixOf(round, c));
                steps.AddRange(c.Steps.Select(s => s.Text));
                if (c.Lookahead is not null) steps.AddRange(c.Lookahead.Where(IsScored).Select(s => s.Text));
                sequences.Add(new ScoringSequence(round.Request.Problem, steps, round.Request.SearchId));
            }
        }
        return sequences;
    }

    /// <param name="scores">The scorer's output for <see cref="Sequences"/> of the same rounds, in order.</param>
    public static List<RoundScored> Apply(IReadOnlyList<ScoreRound> rounds, IReadOnlyList<IReadOnlyList<double>> scores)
    {
        var result = new List<RoundScored>(rounds.Count);
        var next = 0;
        foreach (var round in rounds)
        {
            var scored = new List<ScoredCandidate>(round.Candidates.Count);
            foreach (var c in round.Candidates)
            {
                // the model ended at once: no step to score, and the candidate never had a sequence
                if (c.Steps.Count == 0) { scored.Add(new ScoredCandidate(c, [])); continue; }
                var s = scores[next++];
                var prefix = PrefixOf(round, c).Count;
                var expected = prefix + c.Steps.Count + (c.Lookahead?.Count(IsScored) ?? 0);
                if (s.Count != expected)
                    throw new InvalidOperationException(
                        $"scorer returned {s.Count} scores for a sequence of {expected} steps (search {round.Request.SearchId}, round {round.Request.Round})");
                var stepScores = s.Skip(prefix).Take(c.Steps.Count).ToList();
                // the rollout's end is the last score; a rollout cut short by a final step still has its step's score
                double? lookahead = round.Request.LookaheadSteps > 0 ? s[^1] : null;
                scored.Add(new ScoredCandidate(c, stepScores, lookahead));
            }
            result.Add(new RoundScored(round.Request, scored));
        }
        return result;
    }

    /// <summary>An empty rollout step stands for a rollout that ended at once (EOS): it has no text to score.</summary>
    private static bool IsScored(GeneratedStep s) => s.Text.Length > 0;

    private static IReadOnlyList<string> PrefixOf(ScoreRound round, ProposedCandidate c) =>
        round.Request.Requests[c.RequestIndex].PrefixSteps;
}
