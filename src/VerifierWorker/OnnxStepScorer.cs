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
    private readonly ILogger<OnnxStepScorer> _logger;

    public OnnxStepScorer(IOptions<ModelPathsOptions> paths, IOptionsMonitor<InferenceOptions> inference, ILogger<OnnxStepScorer> logger)
    {
        var path = paths.Value.Prm;
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidOperationException("verifier worker: no PRM configured; set Models__Prm to a *.manifest.json path");
        _logger = logger;
        _model = LanguageModel.Load(path, inference.Get(InferenceOptions.PrmRole), logger);
        _scorer = new PrmScorer(_model);
        logger.LogInformation("serving PRM {Name} ({Parameters:N0} parameters) from {Path} on {Provider}",
            _model.Manifest.Name, _model.Manifest.ParameterCount, path, _model.ExecutionProvider);
    }

    public string ModelName => _model.Manifest.Name;

    public string Device => _model.Device;

    public async Task<IReadOnlyList<IReadOnlyList<double>>> ScoreAsync(
        IReadOnlyList<ScoringSequence> sequences, CancellationToken cancellationToken)
    {
        var dropped = sequences.Select(Overflow).ToList();
        var inputs = sequences.Select((s, i) => new PrmInput(s.Problem, s.Steps.Skip(dropped[i]).ToList(), s.Search)).ToList();
        var scores = await OutOfMemorySplit.RunAsync(inputs, batch => _scorer.ScoreAsync(batch, cancellationToken),
            (n, e) => _logger.LogWarning("PRM out of memory on {Count} sequences; scoring each half on its own ({Reason})", n, e.Message.Split('\n')[0]));
        if (_scorer.PrefillStats() is { } p)
            _logger.LogInformation("PRM prefill so far: {Prefilled} tokens run, {Cached} tokens from prefixes kept across calls ({Hits} hits; {Kept} prefixes, {KeptGiB:F2} GiB kept now; {Evicted} evicted; {NotKept} not kept, arena full; {CopiedGiB:F1} GiB copied into pasts and kept prefixes)",
                p.PrefilledTokens, p.CachedTokens, p.CacheHits, p.KeptPrefixes, p.KeptGiB, p.Evicted, p.NotKept, p.CopiedGiB);
        // dropped leading steps get NaN: they are prefix steps, whose scores the verifier never reads
        return scores.Select((s, i) => dropped[i] == 0 ? s : (IReadOnlyList<double>)[.. Enumerable.Repeat(double.NaN, dropped[i]), .. s]).ToList();
    }

    /// <summary>How many leading steps to leave out so the PRM input fits its context; the new steps sit at
    /// the end, so a very deep prefix loses its oldest steps rather than failing the whole batch.</summary>
    private int Overflow(ScoringSequence s)
    {
        for (var drop = 0; drop < s.Steps.Count; drop++)
        {
            // The PRM's own input recipe decides the length (a chat template adds its headers).
            if (_scorer.Tokens(new PrmInput(s.Problem, s.Steps.Skip(drop).ToList())).Ids.Length <= _model.Manifest.MaxPositions) return drop;
        }
        return Math.Max(0, s.Steps.Count - 1);
    }

    public void Dispose() => _model.Dispose();
}
