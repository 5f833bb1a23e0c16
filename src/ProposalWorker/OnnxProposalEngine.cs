using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Inference;
using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

/// <summary>
/// <see cref="IProposalEngine"/> on Pipeline.Inference: the policy (Models__Policy, required) and the revision
/// model (Models__Revision, optional), loaded once at startup. All requests of all rounds for one model go
/// to the generator in one call; lookahead rollouts of the whole batch go in a second call.
/// </summary>
public sealed class OnnxProposalEngine : IProposalEngine, IDisposable
{
    private readonly Dictionary<string, (LanguageModel Model, Generator Generator)> _models = new(StringComparer.Ordinal);
    private readonly ILogger<OnnxProposalEngine> _logger;

    public OnnxProposalEngine(IOptions<ModelPathsOptions> paths, IOptionsMonitor<InferenceOptions> inference, ILogger<OnnxProposalEngine> logger)
    {
        _logger = logger;
        var policy = paths.Value.Policy;
        if (string.IsNullOrWhiteSpace(policy))
            throw new InvalidOperationException("proposal worker: no policy model configured; set Models__Policy to a *.manifest.json path");
        foreach (var path in new[] { policy, paths.Value.Revision }.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            var model = LanguageModel.Load(path!, inference.Get(InferenceOptions.PolicyRole), logger);
            _models[model.Manifest.Name] = (model, new Generator(model));
            logger.LogInformation("serving {Role} model {Name} ({Parameters:N0} parameters) from {Path} on {Provider}",
                model.Manifest.Role, model.Manifest.Name, model.Manifest.ParameterCount, path, model.ExecutionProvider);
        }
        ServedModels = _models.Keys.ToHashSet(StringComparer.Ordinal);
        Device = string.Join(",", _models.Values.Select(m => m.Model.Device).Distinct());
    }

    public IReadOnlySet<string> ServedModels { get; }

    public string Device { get; }

    public async Task<IReadOnlyList<IReadOnlyList<ProposedCandidate>>> ExpandAsync(
        IReadOnlyList<ExpandRound> rounds, CancellationToken cancellationToken)
    {
        var results = new IReadOnlyList<ProposedCandidate>[rounds.Count];
        foreach (var group in Enumerable.Range(0, rounds.Count).GroupBy(i => rounds[i].PolicyModel))
        {
            var (model, generator) = _models[group.Key];
            var jobs = group.SelectMany(i => rounds[i].Requests.Select(r => (Round: i, Request: r))).ToList();
            var requests = jobs.Select(j => ToGenerationRequest(model.Manifest, rounds[j.Round], j.Request)).ToList();
            // A prompt that fills the context (a deep search) gets no continuation: its samples come back empty
            // ("length"), which ends that branch, instead of one request failing the whole batch.
            var fits = requests.Select(r => model.EncodePrompt(r.Prompt).Length < model.Manifest.MaxPositions - 1).ToList();
            var runnable = requests.Where((_, j) => fits[j]).ToList();
            // samples are seeded per request, so a batch split on out-of-memory generates the same text
            var generated = runnable.Count > 0
                ? await OutOfMemorySplit.RunAsync(runnable, batch => generator.GenerateAsync(batch, cancellationToken),
                    (n, e) => _logger.LogWarning("policy out of memory on {Count} requests; generating each half on its own ({Reason})", n, e.Message.Split('\n')[0]))
                : [];

            var perRound = group.ToDictionary(i => i, _ => new List<ProposedCandidate>());
            for (int j = 0, k = 0; j < jobs.Count; j++)
            {
                var round = rounds[jobs[j].Round];
                var request = jobs[j].Request;
                if (!fits[j])
                {
                    _logger.LogWarning("search {Search} round {Round} request {Request}: prompt fills model {Model}'s {Max} positions; its samples end here",
                        round.SearchId, round.Round, request.Index, group.Key, model.Manifest.MaxPositions);
                    perRound[jobs[j].Round].AddRange(Enumerable.Range(0, request.Count).Select(i =>
                        new ProposedCandidate(request.Index, i, request.ParentNodeId, [], 0, FinishReason.Length, false)));
                    continue;
                }
                perRound[jobs[j].Round].AddRange(generated[k++].Samples.Select(s =>
                    CandidateMapping.Candidate(request, s, round.Mode, round.Sampling.MaxSteps)));
            }
            await AddLookaheadAsync(model, generator, rounds, perRound, cancellationToken);
            foreach (var (i, list) in perRound) results[i] = list;
        }
        return results;
    }

    private static GenerationRequest ToGenerationRequest(ModelManifest manifest, ExpandRound round, ExpansionRequest request)
    {
        var prompt = round.Mode == GenerationMode.Revision
            ? PromptBuilder.Revision(manifest, round.Problem, request.PreviousAttempts ?? [], round.SystemPrompt)
            : PromptBuilder.Policy(manifest, round.Problem, request.PrefixSteps, round.SystemPrompt);
        var s = round.Sampling;
        return new GenerationRequest(prompt, request.Count, s.Temperature, s.TopP, request.Seed,
            round.Mode == GenerationMode.Step ? StopMode.Step : StopMode.Solution, s.MaxNewTokens, s.MaxSteps);
    }

    /// <summary>Lookahead search: after each open sampled step, k greedy steps; the verifier scores their end.</summary>
    private async Task AddLookaheadAsync(LanguageModel model, Generator generator, IReadOnlyList<ExpandRound> rounds,
        Dictionary<int, List<ProposedCandidate>> perRound, CancellationToken ct)
    {
        var manifest = model.Manifest;
        var open = new List<(int Round, int Candidate, string Prompt, int K)>();
        foreach (var (i, list) in perRound)
        {
            var round = rounds[i];
            if (round.LookaheadSteps <= 0) continue;
            for (var c = 0; c < list.Count; c++)
            {
                if (list[c].Terminal || list[c].Steps.Count == 0) { list[c] = list[c] with { Lookahead = [] }; continue; }
                var prefix = round.Requests[list[c].RequestIndex].PrefixSteps.Concat(list[c].Steps.Select(s => s.Text));
                var prompt = PromptBuilder.Policy(manifest, round.Problem, prefix, round.SystemPrompt);
                if (model.EncodePrompt(prompt).Length >= manifest.MaxPositions - 1) { list[c] = list[c] with { Lookahead = [] }; continue; }
                open.Add((i, c, prompt, round.LookaheadSteps));
            }
        }
        foreach (var byK in open.GroupBy(o => (o.K, rounds[o.Round].Sampling.MaxNewTokens)))
        {
            var items = byK.ToList();
            var rollouts = await generator.RolloutAsync(items.Select(o => o.Prompt).ToList(), byK.Key.K, byK.Key.MaxNewTokens * byK.Key.K, ct);
            for (var j = 0; j < items.Count; j++)
            {
                var sample = rollouts[j].Samples[0];
                var list = perRound[items[j].Round];
                list[items[j].Candidate] = list[items[j].Candidate] with
                {
                    Lookahead = CandidateMapping.Rollout(sample.Steps, sample.GeneratedTokens, byK.Key.K),
                };
            }
        }
        if (open.Count > 0) _logger.LogDebug("rolled out {Count} lookahead continuations", open.Count);
    }

    public void Dispose()
    {
        foreach (var (model, _) in _models.Values) model.Dispose();
    }
}
