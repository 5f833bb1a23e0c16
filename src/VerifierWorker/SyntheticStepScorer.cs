using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Inference;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

/// <summary><see cref="IStepScorer"/> with no model (<c>Inference__Backend=synthetic</c>): each step's score is a
/// hash of the problem and the steps up to it, after a fixed latency per batch.</summary>
public sealed class SyntheticStepScorer : IStepScorer
{
    private readonly SyntheticOptions _options;

    public SyntheticStepScorer(IOptions<ModelPathsOptions> paths, IOptions<SyntheticOptions> options, ILogger<SyntheticStepScorer> logger)
    {
        _options = options.Value;
        var path = paths.Value.Prm;
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidOperationException("verifier worker: no PRM configured; set Models__Prm to a *.manifest.json path");
        ModelName = ModelManifest.Load(path).Name;
        logger.LogInformation("synthetic backend serving PRM {Name}: {Latency} ms a batch", ModelName, _options.VerifierLatencyMs);
    }

    public string ModelName { get; }

    public string Device => "synthetic";

    public async Task<IReadOnlyList<IReadOnlyList<double>>> ScoreAsync(
        IReadOnlyList<ScoringSequence> sequences, CancellationToken cancellationToken)
    {
        if (_options.VerifierLatencyMs > 0) await Task.Delay(_options.VerifierLatencyMs, cancellationToken);
        return sequences.Select(s => (IReadOnlyList<double>)Enumerable.Range(0, s.Steps.Count)
            .Select(i => SyntheticText.Score(s.Problem, s.Steps, i)).ToList()).ToList();
    }
}
