namespace Pipeline.VerifierWorker;

/// <summary>A solution (or partial one) to score: the PRM reads problem + steps and gives one score per step.
/// <paramref name="Search"/> (the search it belongs to) lets the PRM drop what it kept for a search's pruned beams.</summary>
public sealed record ScoringSequence(string Problem, IReadOnlyList<string> Steps, long? Search = null);

/// <summary>What the verifier worker needs from a model runtime: batched PRM scoring. The real one
/// (<see cref="OnnxStepScorer"/>) runs the PRM through ONNX Runtime; consumer tests swap in a fake.</summary>
public interface IStepScorer
{
    /// <summary>Name (from the manifest) of the PRM this worker serves.</summary>
    string ModelName { get; }

    /// <summary>Where the PRM runs (cpu, cuda:N, synthetic), for the worker's heartbeat.</summary>
    string Device { get; }

    /// <summary>Result i holds one score in [0, 1] per step of <paramref name="sequences"/>[i].</summary>
    Task<IReadOnlyList<IReadOnlyList<double>>> ScoreAsync(
        IReadOnlyList<ScoringSequence> sequences, CancellationToken cancellationToken);
}
