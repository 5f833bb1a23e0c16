using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>One candidate solution to score: the problem and its steps (without delimiters). <paramref name="Search"/>, if
/// given, is the search the candidate belongs to: a shared-cache PRM then drops, after a call, what it kept for that
/// search's prefixes that the call's candidates no longer continue (pruned beams; <see cref="PrmPrefixCache"/>).</summary>
public sealed record PrmInput(string Problem, IReadOnlyList<string> Steps, long? Search = null);

/// <summary>What a shared-cache PRM's runs did so far (sums over calls): tokens prefilled, tokens taken from prefixes
/// kept by earlier calls (<see cref="InferenceOptions.PrmPrefixCacheGiB"/>), and what the cache holds now.</summary>
public sealed record PrmPrefillStats(long PrefilledTokens, long CachedTokens, long CacheHits, int KeptPrefixes, double KeptGiB, long Evicted, long NotKept = 0,
    double CopiedGiB = 0);

/// <summary>Scores every step of many candidates with a PRM, in batches (right padding: a causal
/// PRM's outputs before the padding do not depend on it, whatever the graph does with positions).</summary>
public sealed class PrmScorer
{
    private readonly LanguageModel _model;
    private readonly PrmHeadSpec _head;
    private readonly int _goodId;
    private readonly int _badId;
    private readonly bool _hasPositions;

    public PrmScorer(LanguageModel model)
    {
        _model = model;
        _head = model.Manifest.Prm ?? throw new InvalidOperationException($"{model.Manifest.ManifestPath}: model '{model.Manifest.Name}' is not a PRM (no 'prm' object)");
        _hasPositions = model.InputNames.Contains("position_ids");
        if (_head.LabelTokenIds is [var good, var bad])
        {
            (_goodId, _badId) = (good, bad);
        }
        else if (_head.Head == PrmHeadKind.TokenLogits)
        {
            _goodId = model.Tokenizer.TokenId(_head.GoodToken!, model.Manifest.ManifestPath, "prm.good_token");
            _badId = model.Tokenizer.TokenId(_head.BadToken!, model.Manifest.ManifestPath, "prm.bad_token");
        }
    }

    /// <summary>Per candidate, one score in [0,1] per step.</summary>
    public Task<IReadOnlyList<IReadOnlyList<double>>> ScoreAsync(string problem, IReadOnlyList<IReadOnlyList<string>> candidateSteps, CancellationToken cancellationToken = default) =>
        ScoreAsync(candidateSteps.Select(s => new PrmInput(problem, s)).ToList(), cancellationToken);

    public Task<IReadOnlyList<IReadOnlyList<double>>> ScoreAsync(IReadOnlyList<PrmInput> inputs, CancellationToken cancellationToken = default) =>
        _model.RunAsync(() => Score(inputs, cancellationToken), cancellationToken);

    public IReadOnlyList<IReadOnlyList<double>> Score(IReadOnlyList<PrmInput> inputs, CancellationToken cancellationToken = default) =>
        ScoreEncoded(inputs.Select(Encode).ToList(), cancellationToken, inputs.Select(x => x.Search).ToList());

    /// <summary>Scores inputs already tokenized: per input its ids and the positions of its step markers.</summary>
    /// <param name="searches">Per input, the search it belongs to (null: unknown).</param>
    internal IReadOnlyList<IReadOnlyList<double>> ScoreEncoded(IReadOnlyList<(int[] Ids, int[] Markers)> encoded, CancellationToken cancellationToken = default,
        IReadOnlyList<long?>? searches = null)
    {
        if (_model.Manifest.PrmPrefixCache)
        {
            float[][][] rows;
            lock (_model.SharedDecoderLock)
            using (Gate())
                rows = _model.PrefixPrm.Score(encoded, _model.Options.PrmMinSharedTokens, cancellationToken, searches);
            return rows.Select(r => (IReadOnlyList<double>)r.Select(HeadScore).ToArray()).ToList();
        }
        var results = new IReadOnlyList<double>[encoded.Count];
        // Similar lengths together: less padding per batch.
        var order = Enumerable.Range(0, encoded.Count).OrderBy(i => encoded[i].Ids.Length).ToList();
        for (var start = 0; start < order.Count; start += _model.Options.PrmBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.Skip(start).Take(_model.Options.PrmBatchSize).ToList();
            double[][] scores;
            using (Gate())
                scores = RunBatch(batch.Select(i => encoded[i]).ToList());
            for (var k = 0; k < batch.Count; k++) results[batch[k]] = scores[k];
        }
        return results;
    }

    /// <summary>Null unless the PRM runs shared prefixes (manifest <c>"kv_cache": "prefix"</c>) and has run.</summary>
    public PrmPrefillStats? PrefillStats()
    {
        if (!_model.Manifest.PrmPrefixCache) return null;
        lock (_model.SharedDecoderLock)
        {
            var p = _model.PrefixPrm;
            return new PrmPrefillStats(p.PrefilledTokens, p.CachedTokens, p.CacheHits, p.Cache?.Count ?? 0,
                (p.Cache?.HeldPositions ?? 0) * (double)p.PositionBytes / (1L << 30), p.Cache?.Evicted ?? 0, p.NotKept,
                p.CopiedPositions * (double)p.PositionBytes / (1L << 30));
        }
    }

    // a policy in the same process may be capturing a CUDA graph (CudaCaptureGate); on CPU there is nothing to wait for
    private IDisposable? Gate() => _model.ExecutionProvider == "CUDA" ? CudaCaptureGate.Shared() : null;

    /// <summary>Token ids and score positions of one candidate (the manifest's prm.input recipe, else
    /// the layout of docs/model-format.md), whatever its length.</summary>
    public PrmTokens Tokens(PrmInput input)
    {
        if (_head.Input is not null) return PrmAdapters.Build(_model.Manifest, _model.Tokenizer, input.Problem, input.Steps);
        var (text, markerChars) = PrmLayout.Build(_model.Manifest, input.Problem, input.Steps);
        var tokens = _model.Tokenizer.EncodeWithOffsets(text);
        var shift = _model.Manifest.AddBos ? 1 : 0;
        var ids = new int[tokens.Count + shift];
        if (shift == 1) ids[0] = _model.BosId;
        for (var t = 0; t < tokens.Count; t++) ids[t + shift] = tokens[t].Id;
        var markers = markerChars.Select(c => PrmLayout.TokenAt(tokens, text.Length, c) + shift).ToArray();
        return new PrmTokens(ids, markers);
    }

    private (int[] Ids, int[] Markers) Encode(PrmInput input)
    {
        var (ids, markers) = Tokens(input);
        if (ids.Length > _model.Manifest.MaxPositions)
            throw new ArgumentException($"PRM input of {ids.Length} tokens exceeds model '{_model.Manifest.Name}' max_positions {_model.Manifest.MaxPositions}");
        return (ids, markers);
    }

    private double HeadScore(ReadOnlySpan<float> at) => _head.Head switch
    {
        PrmHeadKind.Value => PrmHeadMath.Value(at[0]),
        // Two logits: the two classes, or the label tokens' logits kept by the graph.
        _ when at.Length == 2 => PrmHeadMath.Softmax2(at[0], at[1], _head.ScoreIndex),
        _ => PrmHeadMath.GoodBad(at[_goodId], at[_badId]),
    };

    private double HeadScore(float[] at) => HeadScore(at.AsSpan());

    private double[][] RunBatch(List<(int[] Ids, int[] Markers)> batch)
    {
        var b = batch.Count;
        var len = batch.Max(x => x.Ids.Length);
        var ids = new long[b * len];
        var mask = new long[b * len];
        var positions = new long[b * len];
        for (var i = 0; i < b; i++)
        {
            var row = batch[i].Ids;
            ids.AsSpan(i * len, len).Fill(_model.PadId);
            for (var t = 0; t < row.Length; t++)
            {
                ids[i * len + t] = row[t];
                mask[i * len + t] = 1;
                positions[i * len + t] = t;
            }
            for (var t = row.Length; t < len; t++) positions[i * len + t] = row.Length - 1;
        }
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, [b, len]),
            OrtValue.CreateTensorValueFromMemory(mask, [b, len]),
        };
        if (_hasPositions)
        {
            names.Add("position_ids");
            values.Add(OrtValue.CreateTensorValueFromMemory(positions, [b, len]));
        }
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _model.Session.Run(runOptions, names, values, [_head.Output]);
            var output = outputs[0];
            var info = output.GetTensorTypeAndShape();
            var shape = info.Shape;
            var width = shape.Length == 3 ? (int)shape[2] : 1;
            var scratch = new float[width];
            var results = new double[b][];
            for (var i = 0; i < b; i++)
            {
                var markers = batch[i].Markers;
                results[i] = new double[markers.Length];
                for (var s = 0; s < markers.Length; s++)
                {
                    results[i][s] = HeadScore(TensorRows.Row(output, info.ElementDataType, ((long)i * len + markers[s]) * width, width, scratch));
                }
            }
            return results;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
