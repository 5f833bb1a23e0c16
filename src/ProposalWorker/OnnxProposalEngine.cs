using Pipeline.Contracts;

namespace Pipeline.ProposalWorker;

/// <summary>Adapter from <see cref="IProposalEngine"/> to Pipeline.Inference (being written: wired once its API lands).</summary>
public sealed class OnnxProposalEngine : IProposalEngine
{
    public OnnxProposalEngine() =>
        throw new NotSupportedException("OnnxProposalEngine: Pipeline.Inference is not wired in yet");

    public IReadOnlySet<string> ServedModels => throw new NotSupportedException();

    public Task<IReadOnlyList<IReadOnlyList<ProposedCandidate>>> ExpandAsync(
        IReadOnlyList<ExpandRound> rounds, CancellationToken cancellationToken) => throw new NotSupportedException();
}
