namespace Pipeline.VerifierWorker;

/// <summary>Adapter from <see cref="IStepScorer"/> to Pipeline.Inference (being written: wired once its API lands).</summary>
public sealed class OnnxStepScorer : IStepScorer
{
    public OnnxStepScorer() =>
        throw new NotSupportedException("OnnxStepScorer: Pipeline.Inference is not wired in yet");

    public string ModelName => throw new NotSupportedException();

    public Task<IReadOnlyList<IReadOnlyList<double>>> ScoreAsync(
        IReadOnlyList<ScoringSequence> sequences, CancellationToken cancellationToken) => throw new NotSupportedException();
}
