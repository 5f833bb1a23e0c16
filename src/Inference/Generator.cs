namespace Pipeline.Inference;

/// <summary>Batched generation with a KV cache. All samples of all requests of a call decode together
/// (left padding, attention mask, per-row positions); each distinct prompt is prefilled once and its
/// cache copied to its samples (prefix sharing); finished rows ride along masked until enough have
/// finished to make dropping them worth a cache copy.</summary>
public sealed partial class Generator(LanguageModel model)
{
    private readonly InferenceOptions _options = model.Options;
    private readonly System.Collections.Concurrent.ConcurrentBag<SamplingScratch> _scratch = [];
    /// <summary>Timings of the last finished call on this instance.</summary>
    public GenerationStats? LastStats { get; private set; }

    public Task<IReadOnlyList<GenerationResult>> GenerateAsync(IReadOnlyList<GenerationRequest> requests, CancellationToken cancellationToken = default) =>
        model.RunAsync(() => Generate(requests, cancellationToken), cancellationToken);

    /// <summary>k greedy steps after each prompt (lookahead search): one sample per prompt, Solution mode, temperature 0.</summary>
    public Task<IReadOnlyList<GenerationResult>> RolloutAsync(IReadOnlyList<string> prompts, int steps, int maxNewTokens, CancellationToken cancellationToken = default) =>
        GenerateAsync(prompts.Select(p => new GenerationRequest(p, 1, 0, 1, 0, StopMode.Solution, maxNewTokens, steps)).ToList(), cancellationToken);

    public IReadOnlyList<GenerationResult> Generate(IReadOnlyList<GenerationRequest> requests, CancellationToken cancellationToken = default)
    {
        var rows = new List<Row>();
        var prompts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        for (var r = 0; r < requests.Count; r++)
        {
            var req = requests[r];
            Validate(req, r);
            int[]? ids;
            if (req.PromptTokenIds is { } given) ids = [.. given];
            else if (!prompts.TryGetValue(req.Prompt, out ids))
                prompts[req.Prompt] = ids = model.EncodePrompt(req.Prompt);
            if (ids.Length >= model.Manifest.MaxPositions)
                throw new ArgumentException($"request {r}: prompt has {ids.Length} tokens, model '{model.Manifest.Name}' allows {model.Manifest.MaxPositions} positions");
            for (var s = 0; s < req.Samples; s++)
                // Rows sharing a prompt share its prefill: key given token ids by the ids themselves.
                rows.Add(new Row(r, s, req.PromptTokenIds is null ? req.Prompt : "\0ids:" + string.Join(',', ids), ids, new SampleTracker(req, model.Manifest.StepDelimiter, model.StopIds, model.Manifest.MaxPositions - ids.Length),
                    new SampleRng(req.Seed, s)));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stats = new Stats();
        var waves = rows.Chunk(_options.MaxBatchSize).Select(w => w.ToList());
        if (model.Manifest.SharedKvCache)
        {
            lock (model.SharedDecoderLock)
            {
                var decoder = model.SharedDecoder;
                try
                {
                    foreach (var wave in waves) RunSharedWave(decoder, wave, requests, stats, cancellationToken);
                    decoder.Prompts?.EndCall();
                }
                catch
                {
                    decoder.Prompts?.Clear();   // out of memory, cancelled: the next call starts from a clean slate
                    throw;
                }
            }
        }
        else
        {
            using var runner = new DecoderRunner(model);
            foreach (var wave in waves) RunWave(runner, wave, requests, stats, cancellationToken);
        }
        LastStats = new GenerationStats(rows.Count, stats.PrefillRuns, stats.PrefillTokens, stats.DecodeSteps, stats.PrefillSeconds,
            stats.DecodeSeconds, stats.CopySeconds, clock.Elapsed.TotalSeconds, stats.KeptPromptTokens, stats.FedPromptTokens);

        var byRequest = rows.ToLookup(x => x.Request);
        return requests.Select((req, r) => new GenerationResult(req, byRequest[r]
            .Select(x => x.Tracker.Result(x.Sample, x.PromptIds.Length, model.Tokenizer, _options.AnswerMarker)).ToList())).ToList();
    }

    private void RunWave(DecoderRunner runner, List<Row> rows, IReadOnlyList<GenerationRequest> requests, Stats stats, CancellationToken ct)
    {
        // Sized by the logits the graph returns (a padded vocabulary may exceed the manifest's vocab_size).
        var probs = Array.Empty<float>();
        var order = Array.Empty<int>();
        var cache = Prefill(runner, rows, stats, ct);
        try
        {
            var active = new List<Row>(rows);
            Resize(rows[0].FirstLogits!.Length);
            foreach (var row in rows)
                SampleNext(row, row.FirstLogits!, requests[row.Request], probs, order);
            var wantHost = false;   // a compaction is due: the next step brings the cache to host memory
            while (active.Any(r => !r.Tracker.Done))
            {
                ct.ThrowIfCancellationRequested();
                var finished = active.Count(r => r.Tracker.Done);
                if (finished > 0 && finished >= _options.CompactFraction * active.Count)
                {
                    if (cache.OnHost)
                    {
                        var copyStart = System.Diagnostics.Stopwatch.GetTimestamp();
                        var next = Compact(cache, active);
                        stats.CopySeconds += System.Diagnostics.Stopwatch.GetElapsedTime(copyStart).TotalSeconds;
                        cache.Dispose();
                        cache = next;
                        active = active.Where(r => !r.Tracker.Done).ToList();
                        wantHost = false;
                    }
                    else
                    {
                        wantHost = true;
                    }
                }

                var b = active.Count;
                var total = cache.Length + 1;
                var ids = new long[b];
                var positions = new long[b];
                var mask = new long[b * total];
                for (var i = 0; i < b; i++)
                {
                    var row = active[i];
                    ids[i] = row.Tracker.Done ? model.PadId : row.Tracker.Ids[^1];
                    positions[i] = cache.Length - row.Pad;
                    mask.AsSpan(i * total + row.Pad, total - row.Pad).Fill(1);
                }
                var stepStart = System.Diagnostics.Stopwatch.GetTimestamp();
                var (logits, present) = runner.Forward(ids, mask, positions, b, 1, cache, hostPresent: wantHost);
                stats.DecodeSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(stepStart).TotalSeconds;
                stats.DecodeSteps++;
                cache.Dispose();
                cache = present;
                using (logits)
                {
                    var (type, _, vocab) = LogitsLayout(logits);
                    SampleRows(active, logits, type, vocab, requests);
                }
            }
        }
        finally
        {
            cache.Dispose();
        }

        void Resize(int vocab)
        {
            if (probs.Length >= vocab) return;
            probs = new float[vocab];
            order = new int[vocab];
        }
    }

    // Rows draw independently (each from its own RNG stream), so they spread over cores: at batch 256
    // one core converting and scanning 151936 fp16 logits a row takes longer than the GPU's whole step.
    // The tokens are appended afterwards, in row order, on this thread (trackers and tokenizer stay single-threaded).
    private void SampleRows(IReadOnlyList<Row?> active, Microsoft.ML.OnnxRuntime.OrtValue logits, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType type,
        int vocab, IReadOnlyList<GenerationRequest> requests)
    {
        var picks = new int[active.Count];
        Parallel.For(0, active.Count, () => RentScratch(vocab), (i, _, scratch) =>
        {
            var row = active[i];
            if (row is { Tracker.Done: false })
            {
                var req = requests[row.Request];
                picks[i] = TokenSampler.Sample(TensorRows.Row(logits, type, (long)i * vocab, vocab, scratch.Logits),
                    req.Temperature, req.TopP, ref row.Rng, scratch.Probs, scratch.Order);
            }
            return scratch;
        }, _scratch.Add);
        for (var i = 0; i < active.Count; i++)
            if (active[i] is { Tracker.Done: false } row)
                row.Tracker.Append(picks[i], model.Tokenizer.Piece(picks[i]));
    }

    private SamplingScratch RentScratch(int vocab) =>
        _scratch.TryTake(out var s) && s.Logits.Length >= vocab ? s : new SamplingScratch(vocab);

    private sealed class SamplingScratch(int vocab)
    {
        public float[] Logits { get; } = new float[vocab];
        public float[] Probs { get; } = new float[vocab];
        public int[] Order { get; } = new int[vocab];
    }

    private void SampleNext(Row row, ReadOnlySpan<float> logits, GenerationRequest req, float[] probs, int[] order)
    {
        var id = TokenSampler.Sample(logits, req.Temperature, req.TopP, ref row.Rng, probs, order);
        row.Tracker.Append(id, model.Tokenizer.Piece(id));
    }

    // Prefills each distinct prompt once (each row, with prefix sharing off), in chunks of similar
    // length, and lays the results out as one left-padded cache with a row per sample.
    private KvCache Prefill(DecoderRunner runner, List<Row> rows, Stats stats, CancellationToken ct)
    {
        var units = PrefillUnits(rows);
        var longest = rows.Max(r => r.PromptIds.Length);
        var rowIndex = new Dictionary<Row, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < rows.Count; i++) rowIndex[rows[i]] = i;
        KvCache? cache = null;
        try
        {
            foreach (var (start, end) in PrefillChunks(units))
            {
                ct.ThrowIfCancellationRequested();
                var chunk = units.GetRange(start, end - start);
                var n = chunk.Count;
                var len = chunk[^1][0].PromptIds.Length;
                using var initial = runner.InitialCache(n);
                var slots = initial.Length;
                var ids = new long[n * len];
                var mask = new long[n * (slots + len)];
                var positions = new long[n * len];
                for (var u = 0; u < n; u++)
                {
                    var p = chunk[u][0].PromptIds;
                    var pad = len - p.Length;
                    ids.AsSpan(u * len, pad).Fill(model.PadId);
                    for (var t = 0; t < p.Length; t++)
                    {
                        ids[u * len + pad + t] = p[t];
                        mask[u * (slots + len) + slots + pad + t] = 1;
                        positions[u * len + pad + t] = t;
                    }
                }
                var runStart = System.Diagnostics.Stopwatch.GetTimestamp();
                var (logits, present) = runner.Forward(ids, mask, positions, n, len, initial, hostPresent: true);
                cache ??= KvCache.Zeros(present.Layers, rows.Count, longest, present.Heads, present.HeadSize, present.ElementType);
                stats.PrefillSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(runStart).TotalSeconds;
                stats.PrefillRuns++;
                stats.PrefillTokens += n * len;
                using (logits)
                using (present)
                {
                    var copyStart = System.Diagnostics.Stopwatch.GetTimestamp();
                    var (type, outSeq, vocab) = LogitsLayout(logits);
                    for (var u = 0; u < n; u++)
                    {
                        // Logits of the last position: [n, len, vocab], or [n, 1, vocab] for a "last only" graph.
                        var last = TensorRows.Row(logits, type, ((long)u * outSeq + outSeq - 1) * vocab, vocab, new float[vocab]).ToArray();
                        var promptLen = chunk[u][0].PromptIds.Length;
                        foreach (var row in chunk[u])
                        {
                            row.FirstLogits = last;
                            row.Pad = longest - promptLen;
                            KvCache.CopyRow(present, u, slots + len - promptLen, cache, rowIndex[row], row.Pad, promptLen);
                        }
                    }
                    stats.CopySeconds += System.Diagnostics.Stopwatch.GetElapsedTime(copyStart).TotalSeconds;
                }
            }
            return cache!;
        }
        catch
        {
            cache?.Dispose();
            throw;
        }
    }

    // Rows grouped by prompt (each distinct prompt is prefilled once), or one unit per row with prefix
    // sharing off; sorted by prompt length so that a chunk's longest prompt is its last one.
    private List<List<Row>> PrefillUnits(List<Row> rows)
    {
        var units = _options.PrefixSharing
            ? rows.GroupBy(r => r.Prompt, StringComparer.Ordinal).Select(g => g.ToList()).ToList()
            : rows.Select(r => new List<Row> { r }).ToList();
        units.Sort((a, b) => a[0].PromptIds.Length.CompareTo(b[0].PromptIds.Length));
        return units;
    }

    // Consecutive ranges [start, end) of length-sorted units, each at most MaxBatchSize units and
    // MaxPrefillTokens padded tokens (units x the range's longest prompt).
    private IEnumerable<(int Start, int End)> PrefillChunks(List<List<Row>> units)
    {
        var start = 0;
        while (start < units.Count)
        {
            var end = start + 1;
            while (end < units.Count && end - start < _options.MaxBatchSize
                   && (end - start + 1) * units[end][0].PromptIds.Length <= _options.MaxPrefillTokens)
                end++;
            yield return (start, end);
            start = end;
        }
    }

    // A cache holding only the unfinished rows, with the left padding they all share cut off.
    private KvCache Compact(KvCache cache, List<Row> active)
    {
        var keep = active.Select((r, i) => (Row: r, Index: i)).Where(x => !x.Row.Tracker.Done).ToList();
        var trim = keep.Min(x => x.Row.Pad);
        var next = KvCache.Zeros(cache.Layers, keep.Count, cache.Length - trim, cache.Heads, cache.HeadSize, cache.ElementType);
        for (var k = 0; k < keep.Count; k++)
        {
            var (row, i) = keep[k];
            KvCache.CopyRow(cache, i, row.Pad, next, k, row.Pad - trim, cache.Length - row.Pad);
            row.Pad -= trim;
        }
        return next;
    }

    private static (Microsoft.ML.OnnxRuntime.Tensors.TensorElementType Type, int Seq, int Vocab) LogitsLayout(Microsoft.ML.OnnxRuntime.OrtValue logits)
    {
        var info = logits.GetTensorTypeAndShape();
        return (info.ElementDataType, (int)info.Shape[1], (int)info.Shape[2]);
    }

    private static void Validate(GenerationRequest req, int index)
    {
        if (req.Samples < 1) throw new ArgumentException($"request {index}: Samples must be at least 1, got {req.Samples}");
        if (req.MaxNewTokens < 1) throw new ArgumentException($"request {index}: MaxNewTokens must be at least 1, got {req.MaxNewTokens}");
        if (req.MaxSteps < 1) throw new ArgumentException($"request {index}: MaxSteps must be at least 1, got {req.MaxSteps}");
        if (req.Temperature < 0 || double.IsNaN(req.Temperature)) throw new ArgumentException($"request {index}: Temperature must be >= 0, got {req.Temperature}");
        if (!(req.TopP > 0 && req.TopP <= 1)) throw new ArgumentException($"request {index}: TopP must be in (0, 1], got {req.TopP}");
    }

    private sealed class Stats
    {
        public int PrefillRuns, PrefillTokens, DecodeSteps, KeptPromptTokens, FedPromptTokens;
        public double PrefillSeconds, DecodeSeconds, CopySeconds;
    }

    private sealed class Row(int request, int sample, string prompt, int[] promptIds, SampleTracker tracker, SampleRng rng)
    {
        public int Request { get; } = request;
        public int Sample { get; } = sample;
        public string Prompt { get; } = prompt;
        public int[] PromptIds { get; } = promptIds;
        public SampleTracker Tracker { get; } = tracker;
        public SampleRng Rng = rng;
        public float[]? FirstLogits { get; set; }
        /// <summary>Left padding of this row in the current cache.</summary>
        public int Pad { get; set; }
        /// <summary>Shared-cache path: tokens of this row already in its cache slot.</summary>
        public int CacheLength { get; set; }
        /// <summary>Shared-cache path: the row's slot in the decoder's buffers.</summary>
        public int Slot { get; set; }
        /// <summary>Shared-cache path, prompt continued from a kept one: the prompt tokens still to feed, one a decode
        /// step, from <see cref="FedAt"/> on; the row samples once they are in.</summary>
        public int[]? Feed { get; set; }
        public int FedAt { get; set; }
        public bool Feeding => Feed is not null && FedAt < Feed.Length;
        /// <summary>Keep this row's prompt once it is in (the first row of its prompt).</summary>
        public bool KeepPrompt { get; set; }
    }
}
