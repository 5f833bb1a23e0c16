namespace Pipeline.Inference;

// The shared-cache path (manifest "kv_cache": "shared", SharedKvDecoder): rows own fixed slots of
// in-place cache buffers, so there is no left padding, no mask and no per-step cache traffic.
public sealed partial class Generator
{
    private void RunSharedWave(SharedKvDecoder decoder, List<Row> rows, IReadOnlyList<GenerationRequest> requests, Stats stats, CancellationToken ct)
    {
        var units = PrefillUnits(rows);
        // Prompts that continue one kept by an earlier call (a beam's prompt plus the step it chose) copy its cache and
        // feed the rest; the others are prefilled.
        var kept = new (PromptKvCache.Entry Entry, int Common)?[units.Count];
        if (decoder.Prompts is { } prompts)
            for (var i = 0; i < units.Count; i++)
            {
                var prompt = units[i][0].PromptIds;
                if (prompts.Longest(prompt, prompt.Length - 1) is { } k && prompt.Length - k.Common <= _options.PolicyPrefixMaxTail) kept[i] = k;
            }
        var fresh = units.Where((_, i) => kept[i] is null).ToList();
        // A row's cache never holds its last token (it is sampled, not fed), so prompt + budget fits.
        var length = rows.Max(r => r.PromptIds.Length + Math.Min(requests[r.Request].MaxNewTokens, model.Manifest.MaxPositions - r.PromptIds.Length));
        decoder.Reserve(decoder.BatchFor(rows.Count), Math.Max(length, Math.Min(_options.KvCacheLength, model.Manifest.MaxPositions)));

        // Slots: each prefilled prompt's first row in [0, fresh), in prompt-length order so a prefill
        // chunk is a contiguous range; the prompt's other samples after them, copied from it; then the continued
        // prompts' rows.
        var slots = new Row?[decoder.Capacity];
        var next = 0;
        foreach (var unit in fresh) (slots[next] = unit[0]).Slot = next++;
        foreach (var unit in fresh)
            foreach (var row in unit.Skip(1)) (slots[next] = row).Slot = next++;
        for (var i = 0; i < units.Count; i++)
            if (kept[i] is not null)
                foreach (var row in units[i]) (slots[next] = row).Slot = next++;

        Prefill(decoder, fresh, stats, ct);
        var copyStart = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var unit in fresh)
            foreach (var row in unit.Skip(1)) decoder.CopySlot(unit[0].Slot, row.Slot);
        if (decoder.Prompts is { } cache)
        {
            for (var i = 0; i < units.Count; i++)
            {
                if (kept[i] is not { } k) continue;
                cache.Touch(k.Entry);
                k.Entry.Superseded = true;   // this prompt continues it and is kept in its place once fed
                foreach (var row in units[i])
                {
                    decoder.CopyIn(k.Entry.Row, k.Common, row.Slot);
                    (row.CacheLength, row.Feed, row.FedAt) = (k.Common, row.PromptIds[k.Common..], 0);
                }
                units[i][0].KeepPrompt = true;
                stats.KeptPromptTokens += k.Common;
                stats.FedPromptTokens += units[i][0].PromptIds.Length - k.Common;
            }
            decoder.SynchronizeCopies();
            // after the copies above: keeping a prompt replaces a kept one with the same ids
            KeepPrompts(decoder, fresh.Select(u => u[0]).ToList());
        }
        stats.CopySeconds += System.Diagnostics.Stopwatch.GetElapsedTime(copyStart).TotalSeconds;

        var probs = new float[decoder.Vocab];
        var order = new int[decoder.Vocab];
        foreach (var row in rows)
        {
            if (row.Feeding) continue;
            SampleNext(row, row.FirstLogits!, requests[row.Request], probs, order);
            row.FirstLogits = null;
        }

        var batch = decoder.BatchFor(rows.Count);
        var ids = new long[decoder.Capacity];
        var seqlens = new int[decoder.Capacity];
        var picks = new long[decoder.Capacity];
        var draws = new DrawBuffers(decoder.Capacity, decoder.Vocab);
        var feeding = new bool[decoder.Capacity];
        var promptsIn = new List<Row>();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var live = 0;
            for (var s = 0; s < batch; s++)
                if (slots[s] is { Tracker.Done: false }) live++;
            if (live == 0) break;
            // Finished rows ride along (fed a pad token at position 0 of their own slot) until enough
            // have finished for a smaller batch; then the live rows move down into the free slots.
            var smaller = decoder.BatchFor(live);
            if (smaller < batch && batch - live >= _options.CompactFraction * batch)
            {
                var copy = System.Diagnostics.Stopwatch.GetTimestamp();
                Compact(decoder, slots, batch, smaller);
                stats.CopySeconds += System.Diagnostics.Stopwatch.GetElapsedTime(copy).TotalSeconds;
                batch = smaller;
            }

            var greedy = true;
            for (var s = 0; s < batch; s++)
            {
                var row = slots[s];
                feeding[s] = row is { Tracker.Done: false, Feeding: true };
                if (row is { Tracker.Done: false })
                {
                    ids[s] = feeding[s] ? row.Feed![row.FedAt] : row.Tracker.Ids[^1];
                    seqlens[s] = row.CacheLength;
                    greedy &= feeding[s] || requests[row.Request].Temperature <= 0;
                }
                else
                {
                    ids[s] = model.PadId;
                    seqlens[s] = 0;
                }
            }
            var stepStart = System.Diagnostics.Stopwatch.GetTimestamp();
            decoder.Decode(batch, ids, seqlens, picks);
            // A fed row whose prompt is now in draws its first token from this step's logits with the host sampler, as a
            // prefilled row does from the prefill's: its draws match a prefilled run's.
            promptsIn.Clear();
            for (var s = 0; s < batch; s++)
                if (feeding[s] && slots[s] is { } row)
                {
                    row.CacheLength++;
                    row.FedAt++;
                    if (row.Feeding) continue;
                    SampleNext(row, decoder.LogitsRow(s, draws.Logits), requests[row.Request], probs, order);
                    if (row.KeepPrompt) promptsIn.Add(row);
                }
            if (!greedy) Sample(decoder, slots, batch, requests, picks, draws, feeding);
            stats.DecodeSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(stepStart).TotalSeconds;
            stats.DecodeSteps++;
            for (var s = 0; s < batch; s++)
                if (!feeding[s] && slots[s] is { Tracker.Done: false } row)
                {
                    row.CacheLength++;
                    row.Tracker.Append((int)picks[s], model.Tokenizer.Piece((int)picks[s]));
                }
            if (promptsIn.Count > 0) KeepPrompts(decoder, promptsIn);
        }
    }

    // Rows at a temperature replace their argmax in picks: top_p = 1 on the device (one uniform draw
    // each from the row's stream, as TokenSampler draws), top_p < 1 on the host from the row's logits.
    private void Sample(SharedKvDecoder decoder, Row?[] slots, int batch, IReadOnlyList<GenerationRequest> requests, long[] picks, DrawBuffers draws,
        bool[] feeding)
    {
        var onDevice = false;
        for (var s = 0; s < batch; s++)
        {
            draws.Inverse[s] = 1;
            draws.Uniform[s] = 0;
            draws.OnDevice[s] = false;
            if (slots[s] is not { Tracker.Done: false } row || feeding[s]) continue;
            var req = requests[row.Request];
            if (req.Temperature <= 0) continue;
            if (req.TopP >= 1)
            {
                draws.Inverse[s] = (float)(1.0 / req.Temperature);
                draws.Uniform[s] = (float)row.Rng.NextDouble();
                onDevice = draws.OnDevice[s] = true;
            }
            else
            {
                picks[s] = TokenSampler.Sample(decoder.LogitsRow(s, draws.Logits), req.Temperature, req.TopP, ref row.Rng, draws.Probs, draws.Order);
            }
        }
        if (!onDevice) return;
        decoder.SampleOnDevice(draws.Inverse, draws.Uniform, draws.Tokens);
        for (var s = 0; s < batch; s++)
            if (draws.OnDevice[s])
                picks[s] = draws.Tokens[s];
    }

    private sealed class DrawBuffers(int rows, int vocab)
    {
        public float[] Inverse { get; } = new float[rows];
        public float[] Uniform { get; } = new float[rows];
        public long[] Tokens { get; } = new long[rows];
        public bool[] OnDevice { get; } = new bool[rows];
        public float[] Logits { get; } = new float[vocab];
        public float[] Probs { get; } = new float[vocab];
        public int[] Order { get; } = new int[vocab];
    }

    // Prompts in chunks of similar length, right-padded to the chunk's longest, one row per unit.
    private void Prefill(SharedKvDecoder decoder, List<List<Row>> units, Stats stats, CancellationToken ct)
    {
        foreach (var (start, end) in PrefillChunks(units))
        {
            ct.ThrowIfCancellationRequested();
            var n = end - start;
            var seq = units[end - 1][0].PromptIds.Length;
            var ids = new long[n * seq];
            Array.Fill(ids, model.PadId);
            var lengths = new int[n];
            for (var u = 0; u < n; u++)
            {
                var p = units[start + u][0].PromptIds;
                for (var t = 0; t < p.Length; t++) ids[u * seq + t] = p[t];
                lengths[u] = p.Length;
            }
            var runStart = System.Diagnostics.Stopwatch.GetTimestamp();
            var logits = decoder.Prefill(units[start][0].Slot, n, seq, ids, lengths);
            stats.PrefillSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(runStart).TotalSeconds;
            stats.PrefillRuns++;
            stats.PrefillTokens += n * seq;
            for (var u = 0; u < n; u++)
                foreach (var row in units[start + u])
                {
                    row.FirstLogits = logits[u];
                    row.CacheLength = lengths[u];
                }
        }
    }

    // Keeps the prompts of these rows (each its prompt's first row, its prompt wholly in its slot) for later calls.
    private static void KeepPrompts(SharedKvDecoder decoder, List<Row> rows)
    {
        if (decoder.Prompts is not { } cache || rows.Count == 0) return;
        decoder.SynchronizeCopies();   // the prefill or decode that wrote the slots ran on ONNX Runtime's stream
        var copies = rows.Select(r => (r.PromptIds, Row: decoder.CopyOut(r.Slot, r.PromptIds.Length))).ToList();
        decoder.SynchronizeCopies();   // copied before the slots are written again
        foreach (var (ids, row) in copies)
            if (row is not null) cache.Add(ids, row);
        foreach (var r in rows) r.KeepPrompt = false;
    }

    // Moves live rows from slots >= size into free slots below it.
    private static void Compact(SharedKvDecoder decoder, Row?[] slots, int batch, int size)
    {
        var free = 0;
        for (var s = size; s < batch; s++)
        {
            if (slots[s] is not { Tracker.Done: false } row) continue;
            while (slots[free] is { Tracker.Done: false }) free++;
            decoder.CopySlot(s, free);
            slots[free] = row;
            row.Slot = free;
            slots[s] = null;
        }
        for (var s = size; s < batch; s++) slots[s] = null;
    }
}
