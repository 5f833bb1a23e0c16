using System.Collections.Concurrent;
using Pipeline.Contracts;
using Pipeline.ProposalWorker;

namespace Pipeline.Tests.Messaging;

/// <summary>Engine stand-in for consumer tests only: step texts are derived from (search, request, sample),
/// so a test can check each candidate landed in the right round.</summary>
internal sealed class FakeProposalEngine(params string[] models) : IProposalEngine
{
    public ConcurrentQueue<int> BatchSizes { get; } = new();
    public int FailuresLeft;

    public IReadOnlySet<string> ServedModels { get; } = models.ToHashSet();

    public string Device => "fake";

    public Task<IReadOnlyList<IReadOnlyList<ProposedCandidate>>> ExpandAsync(
        IReadOnlyList<ExpandRound> rounds, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref FailuresLeft) >= 0) throw new TimeoutException("simulated transient engine failure");
        BatchSizes.Enqueue(rounds.Count);
        IReadOnlyList<IReadOnlyList<ProposedCandidate>> result = rounds.Select(r => (IReadOnlyList<ProposedCandidate>)r.Requests
            .SelectMany(q => Enumerable.Range(0, q.Count).Select(i => new ProposedCandidate(
                q.Index, i, q.ParentNodeId,
                [new GeneratedStep($"s{r.SearchId} r{q.Index} n{i}", 3)],
                PromptTokens: 7, FinishReason: FinishReason.Delimiter, Terminal: false,
                Lookahead: r.LookaheadSteps > 0 ? [new GeneratedStep("rollout", 2)] : null)))
            .ToList()).ToList();
        return Task.FromResult(result);
    }
}
