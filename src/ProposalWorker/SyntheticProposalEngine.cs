using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Inference;
using Pipeline.ServiceDefaults;
using GeneratedStep = Pipeline.Contracts.GeneratedStep;

namespace Pipeline.ProposalWorker;

/// <summary><see cref="IProposalEngine"/> with no model (<c>Inference__Backend=synthetic</c>): each sample's
/// steps come from <see cref="SyntheticText"/> seeded like the real engine's samples, after a fixed latency per
/// batch. It serves the models its manifests name (read, not loaded), so specs run unchanged.</summary>
public sealed class SyntheticProposalEngine : IProposalEngine
{
    private readonly SyntheticOptions _options;

    public SyntheticProposalEngine(IOptions<ModelPathsOptions> paths, IOptions<SyntheticOptions> options, ILogger<SyntheticProposalEngine> logger)
    {
        _options = options.Value;
        if (string.IsNullOrWhiteSpace(paths.Value.Policy))
            throw new InvalidOperationException("proposal worker: no policy model configured; set Models__Policy to a *.manifest.json path");
        ServedModels = new[] { paths.Value.Policy, paths.Value.Revision }
            .Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => ModelManifest.Load(p!).Name).ToHashSet(StringComparer.Ordinal);
        logger.LogInformation("synthetic backend serving {Models}: {Steps} steps a solution, {Tokens} tokens a step, {Latency} ms a batch",
            string.Join(", ", ServedModels), _options.StepsPerSolution, _options.TokensPerStep, _options.ProposalLatencyMs);
    }

    public IReadOnlySet<string> ServedModels { get; }

    public string Device => "synthetic";

    public async Task<IReadOnlyList<IReadOnlyList<ProposedCandidate>>> ExpandAsync(
        IReadOnlyList<ExpandRound> rounds, CancellationToken cancellationToken)
    {
        if (_options.ProposalLatencyMs > 0) await Task.Delay(_options.ProposalLatencyMs, cancellationToken);
        return rounds.Select(r => (IReadOnlyList<ProposedCandidate>)r.Requests
            .SelectMany(q => Enumerable.Range(0, q.Count).Select(i => Candidate(r, q, i))).ToList()).ToList();
    }

    private ProposedCandidate Candidate(ExpandRound round, ExpansionRequest request, int sample)
    {
        var first = round.Mode == GenerationMode.Step ? request.PrefixSteps.Count : 0;
        var last = round.Mode == GenerationMode.Step ? first : Math.Min(_options.StepsPerSolution, round.Sampling.MaxSteps + 1) - 1;
        var steps = new List<GeneratedStep>();
        var final = false;
        for (var depth = first; depth <= last && !final; depth++)
        {
            var (text, isFinal) = SyntheticText.Step(_options, request.Seed, sample, depth);
            steps.Add(new GeneratedStep(text, _options.TokensPerStep));
            final = isFinal;
        }
        var promptTokens = (round.Problem.Length + request.PrefixSteps.Sum(s => s.Length)) / 4;
        var candidate = new ProposedCandidate(request.Index, sample, request.ParentNodeId, steps, promptTokens,
            final ? FinishReason.Eos : FinishReason.Delimiter, final);
        if (round.Mode != GenerationMode.Step && steps.Count > round.Sampling.MaxSteps)
            candidate = candidate with { Steps = steps.Take(round.Sampling.MaxSteps).ToList(), FinishReason = FinishReason.MaxSteps, Terminal = false };
        return round.LookaheadSteps > 0 ? candidate with { Lookahead = [] } : candidate;
    }
}
