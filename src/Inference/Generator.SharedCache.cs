namespace Pipeline.Inference;

// The shared-cache path (manifest "kv_cache": "shared", SharedKvDecoder): rows own fixed slots of
// in-place cache buffers, so there is no left padding, no mask and no per-step cache traffic.
public sealed partial class Generator
{
    private void RunSharedWave(SharedKvDecoder decoder, List<Row> rows, IReadOnlyList<GenerationRequest> requests, Stats stats, CancellationToken ct)
    {
        var units = PrefillUnits(rows);
        // A row's cache never holds its last token (it is sampled, not fed), so prompt + budget fits.
        var length = rows.Max(r => r.PromptIds.Length + Math.Min(requests[r.Request].MaxNewTokens, model.Manifest.MaxPositions - r.PromptIds.Length));
        decoder.Reserve(decoder.BatchFor(rows.Count), Math.Max(length, Math.Min(_options.KvCacheLength, model.Manifest.MaxPositions)));

        // Slots: each distinct prompt's first row in [0, units), in prompt-length order so a prefill
        // chunk is a contiguous range; the prompt's other samples after them, copied from it.
        var slots = new Row?[decoder.Capacity];
        var next = 0;
        foreach (var unit in units) (slots[next] = unit[0]).Slot = next++;
        foreach (var unit in units)
            foreach (var row in unit.Skip(1)) (slots[next] = row).Slot = next++;

        Prefill(decoder, units, stats, ct);
        var copyStart = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var unit in units)
            foreach (var row in unit.Skip(1)) decoder.CopySlot(unit[0].Slot, row.Slot);
        stats.CopySeconds += System.Diagnostics.Stopwatch.GetElapsedTime(copyStart).TotalSeconds;

        var probs = new float[decoder.Vocab];
        var order = new int[decoder.Vocab];
        foreach (var row in rows)
        {
            SampleNext(row, row.FirstLogits!, requests[row.Request], probs, order);
            row.FirstLogits = null;
        }

        var batch = decoder.BatchFor(rows.Count);
        var ids = new long[decoder.Capacity];
        var seqlens = new int[decoder.Capacity];
        var picks = new long[decoder.Capacity];
        var draws = new DrawBuffers(decoder.Capacity, decoder.Vocab);
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
                if (row is { Tracker.Done: false })
                {
                    ids[s] = row.Tracker.Ids[^1];
                    seqlens[s] = row.CacheLength;
                    greedy &= requests[row.Request].Temperature <= 0;
                }
                else
                {
                    ids[s] = model.PadId;
                    seqlens[s] = 0;
                }
            }
            var stepStart = System.Diagnostics.Stopwatch.GetTimestamp();
            decoder.Decode(batch, ids, seqlens, picks);
            if (!greedy) Sample(decoder, slots, batch, requests, picks, draws);
            stats.DecodeSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(stepStart).TotalSeconds;
            stats.DecodeSteps++;
            for (var s = 0; s < batch; s++)
                if (slots[s] is { Tracker.Done: false } row)
                {
                    row.CacheLength++;
                    row.Tracker.Append((int)picks[s], model.Tokenizer.Piece((int)picks[s]));
                }
        }
    }

    // Rows at a temperature replace their argmax in picks: top_p = 1 on the device (one uniform draw
    // each from the row's stream, as TokenSampler draws), top_p < 1 on the host from the row's logits.
    private void Sample(SharedKvDecoder decoder, Row?[] slots, int batch, IReadOnlyList<GenerationRequest> requests, long[] picks, DrawBuffers draws)
    {
        var onDevice = false;
        for (var s = 0; s < batch; s++)
        {
            draws.Inverse[s] = 1;
            draws.Uniform[s] = 0;
            draws.OnDevice[s] = false;
            if (slots[s] is not { Tracker.Done: false } row) continue;
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
