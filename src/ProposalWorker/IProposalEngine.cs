using Pipeline.Contracts;

namespace Pipeline.ProposalWorker;

/// <summary>
/// What the proposal worker needs from a model runtime: generate every sample of every round in one
/// batch. The real one (<see cref="OnnxProposalEngine"/>) packs all sequences into batched ONNX
/// decoding; consumer tests swap in a fake.
/// </summary>
public interface IProposalEngine
{
    /// <summary>Names (from the manifests) of the models this worker can run.</summary>
    IReadOnlySet<string> ServedModels { get; }

    /// <summary>Where the models run (cpu, cuda:N, synthetic), for the worker's heartbeat.</summary>
    string Device { get; }

    /// <summary>Result i holds the candidates of <paramref name="rounds"/>[i], one per (request, sample),
    /// in request order then sample order.</summary>
    Task<IReadOnlyList<IReadOnlyList<ProposedCandidate>>> ExpandAsync(
        IReadOnlyList<ExpandRound> rounds, CancellationToken cancellationToken);
}
