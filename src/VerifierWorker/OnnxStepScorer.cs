using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Inference;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

/// <summary><see cref="IStepScorer"/> on Pipeline.Inference's PRM scorer; the PRM (Models__Prm) is loaded once at startup.</summary>
public sealed class OnnxStepScorer : IStepScorer, IDisposable
{
    private readonly LanguageModel _model;
    private readonly PrmScorer _scorer;

    public OnnxStepScorer(IOptions<ModelPathsOptions> paths, IOptions<InferenceOptions> inference, ILogger<OnnxStepScorer> logger)
    {
        var path = paths.Value.Prm;
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidOperationException("verifier worker: no PRM configured; set Models__Prm to a *.manifest.json path");
        _model = LanguageModel.Load(path, inference.Value, logger);
        _scorer = new PrmScorer(_model);
        logger.LogInformation("serving PRM {Name} ({Parameters:N0} parameters) from {Path} on {Provider}",
            _model.Manifest.Name, _model.Manifest.ParameterCount, path, _model.ExecutionProvider);
    }

    public string ModelName => _model.Manifest.Name;

    public Task<IReadOnlyList<IReadOnlyList<double>>> ScoreAsync(
        IReadOnlyList<ScoringSequence> sequences, CancellationToken cancellationToken) =>
        _scorer.ScoreAsync(sequences.Select(s => new PrmInput(s.Problem, s.Steps)).ToList(), cancellationToken);

    public void Dispose() => _model.Dispose();
}
