using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.Inference;

/// <summary>Runs a PRM whose graph takes and returns a KV cache (manifest <c>"kv_cache": "prefix"</c>;
/// scripts/hf_import, <c>--layout shared</c>): inputs that start alike form a tree of common prefixes
/// (<see cref="PrefixTree"/>), and each node's tokens run once, with its parent's cache as their past.
/// A search round's candidates thus pay for their problem and their beam's earlier steps once, and for
/// their own new step each. One level of the tree runs in chunks of rows; a row's past is its parent's
/// present row as that run returned it (copied on the device into a batch buffer, left-padded to the
/// chunk's longest past), with the parent's attention-mask row, holes included: the graph masks every
/// position the mask says is padding, so no cache is ever re-aligned. A chunk of leaves (nodes no other
/// node continues: at best-of-N every candidate's solution, at beam search every new step) frees its
/// presents as soon as its scores are read: keeping them to the level's end held every candidate's cache at
/// once (a 7B PRM at best-of-256 over 10 problems: ~58 GB) and faulted with out-of-memory on an H200.
/// Across calls, the prefixes that were parents stay in <see cref="PrmPrefixCache"/>: a beam search's next round
/// starts each beam from the cache of its previous round's prefix and prefills only the step it added.
/// Not thread-safe: <see cref="LanguageModel"/> hands it out under a lock.</summary>
internal sealed class PrefixPrmScorer : IDisposable
{
    private readonly LanguageModel _model;
    private readonly DeviceMemory _memory;
    private readonly string _output;
    private readonly int _width;
    private readonly int _layers, _heads, _headSize, _element;
    private readonly TensorElementType _kvType;
    private readonly RunOptions _options = new();
    // Past buffers of a chunk, one per layer and tensor, grown as needed and reused.
    private readonly IntPtr[] _past;
    private long _pastBytes;
    private readonly PrmPrefixCache? _cache;
    private readonly KvRowBuffers? _buffers;

    public PrefixPrmScorer(LanguageModel model)
    {
        _model = model;
        _memory = DeviceMemory.For(model);
        var m = model.Manifest;
        (_layers, _heads, _headSize) = (m.NumLayers, m.NumKvHeads, m.HeadSize);
        _kvType = model.Session.InputMetadata["past_key_values.0.key"].ElementDataType;
        _element = _kvType switch
        {
            TensorElementType.Float => 4,
            TensorElementType.Float16 => 2,
            var t => throw new ModelFormatException(m.OnnxPath, $"past_key_values element type {t}: only float32 and float16 caches are supported"),
        };
        _output = m.Prm!.Output;
        var dims = model.Session.OutputMetadata[_output].Dimensions;
        _width = dims.Length == 3 ? dims[2] : 1;
        _past = new IntPtr[2 * _layers];
        PositionBytes = 2L * _layers * _heads * _headSize * _element;
        var gib = model.Options.PrmPrefixCacheGiB ?? (model.ExecutionProvider == "CUDA" ? 8 : 1);
        var budget = (long)(gib * (1L << 30)) / PositionBytes;
        // Entries hold the head's row at each step marker on the host: a graph that returns whole vocabulary rows (a
        // hand-made manifest; the importer keeps the two label logits) would make that 600 KB a marker, so none is kept.
        if (budget > 0 && _width <= 64)
        {
            _cache = new PrmPrefixCache(budget);
            _buffers = new KvRowBuffers(model, _memory);
        }
    }

    /// <summary>Bytes of one cache position: keys and values of every layer.</summary>
    public long PositionBytes { get; }

    /// <summary>What the runs did, summed over calls (benchmarks and tests).</summary>
    public long PrefilledTokens { get; private set; }
    public long PaddedTokens { get; private set; }
    public int Runs { get; private set; }
    public int Copies { get; private set; }
    /// <summary>Cache positions copied on the device: into the pasts of the runs (each row its whole past, padding holes
    /// included) and into the prefixes kept across calls. Times <see cref="PositionBytes"/> it is the copy traffic.</summary>
    public long CopiedPositions { get; private set; }
    /// <summary>Device copy calls those took (one per piece, layer and tensor): at a few microseconds of launch each, the
    /// calls rather than the bytes are what a round of many small pieces pays for.</summary>
    public long CopyCalls { get; private set; }
    /// <summary>Most cache positions (rows x past + new positions of the presents held) held at once in one call,
    /// the device memory the presents take in units of one position's keys and values over all layers.</summary>
    public long PeakHeldPositions { get; private set; }
    /// <summary>Nodes that started from a prefix kept by an earlier call, and the tokens that saved from prefill.</summary>
    public long CacheHits { get; private set; }
    public long CachedTokens { get; private set; }
    /// <summary>Prefixes not kept because the arena had no room for their copy.</summary>
    public long NotKept { get; private set; }
    /// <summary>The prefixes kept across calls (<see cref="InferenceOptions.PrmPrefixCacheGiB"/>; null when 0).</summary>
    public PrmPrefixCache? Cache => _cache;

    /// <summary>For every input, the head's output row (<c>width</c> floats) at each of its markers.</summary>
    /// <param name="searches">Per input, the search it belongs to (null: unknown): after the call, what the cache kept for
    /// these searches and the call did not use goes (a search's next round continues only this round's prefixes).</param>
    public float[][][] Score(IReadOnlyList<(int[] Ids, int[] Markers)> inputs, int minSegment, CancellationToken cancellationToken,
        IReadOnlyList<long?>? searches = null)
    {
        var results = inputs.Select(x => new float[x.Markers.Length][]).ToArray();
        if (inputs.Count == 0) return results;
        var nodes = PrefixTree.Plan(inputs.Select(x => x.Ids).ToList(), minSegment);
        var continued = new bool[nodes.Count];
        foreach (var node in nodes) if (node.Parent >= 0) continued[node.Parent] = true;
        // Leaves after the nodes that others continue, so that a chunk is all leaves (freed at once) or all parents.
        var levels = Enumerable.Range(0, nodes.Count).GroupBy(i => nodes[i].Level).OrderBy(g => g.Key)
            .Select(g => g.OrderBy(i => continued[i] ? 0 : 1).ThenBy(i => nodes[i].End - nodes[i].Start).ThenBy(i => i).ToArray()).ToList();
        // A node runs positions [start, End) after pasts[n]: its parent's cache, or a longer prefix kept by an earlier call.
        var start = nodes.Select(x => x.Start).ToArray();
        var pasts = new KvRow?[nodes.Count];
        var caches = new KvRow?[nodes.Count];
        var hashes = new ulong[inputs.Count][];
        // What earlier calls kept: a node starts from the longest kept prefix inside it. A node runs only if it has
        // tokens left after that and something needs them: its members' markers, or a child that has no kept prefix
        // of its own and so continues this node's cache (a beam search's problem node, one round on, needs neither).
        // The entries to keep after the call are those at its nodes' ends (the next round's branch points are among
        // them); one that ends inside a node is a boundary no longer in use (an earlier round's beam, an old branch point).
        var kept = new PrmPrefixCache.Entry?[nodes.Count];
        // The kept entry whose prefix ends where node n does (found, or made by this call): a kept child's row continues it.
        var entryAt = new PrmPrefixCache.Entry?[nodes.Count];
        if (_cache is not null)
            for (var n = 0; n < nodes.Count; n++)
            {
                var node = nodes[n];
                var first = node.Members[0];
                hashes[first] ??= PrmPrefixCache.PrefixHashes(inputs[first].Ids);
                foreach (var e in _cache.Within(inputs[first].Ids, hashes[first], node.Start, node.End))   // shortest first
                {
                    if (e.Length == node.End) _cache.Touch(e);
                    else e.Superseded = true;
                    // the longest that holds every score the members need inside it
                    if (node.Members.All(m => inputs[m].Markers.All(p => p < node.Start || p >= e.Length || e.Scores.ContainsKey(p)))) kept[n] = e;
                }
            }
        var needed = new bool[nodes.Count];
        foreach (var level in Enumerable.Reverse(levels))   // children before their parents
            foreach (var n in level)
            {
                var node = nodes[n];
                needed[n] |= !continued[n] || node.Members.Any(m => inputs[m].Markers.Any(p => p >= node.Start && p < node.End));
                if (needed[n] && node.Parent >= 0 && kept[n] is null) needed[node.Parent] = true;
            }
        var previous = new List<PrmRun>();
        var current = new List<PrmRun>();
        try
        {
            foreach (var level in levels)
            {
                var runnable = new List<int>(level.Length);
                foreach (var n in level)
                {
                    if (!needed[n]) continue;
                    var node = nodes[n];
                    pasts[n] = node.Parent < 0 ? null : caches[node.Parent];
                    if (kept[n] is { } e)
                    {
                        CacheHits++;
                        CachedTokens += e.Length - start[n];
                        Fill(results, node, inputs, start[n], e.Length, p => e.Scores[p]);
                        if (e.Length == node.End)
                        {
                            caches[n] = continued[n] ? e.Row : null;
                            entryAt[n] = e;
                            continue;
                        }
                        (pasts[n], start[n]) = (e.Row, e.Length);
                    }
                    runnable.Add(n);
                }
                var order = runnable.ToArray();
                foreach (var (from, to) in Chunks(nodes, order, start, pasts, continued))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var rows = order[from..to];
                    var keep = rows.Any(r => continued[r]);
                    var run = RunChunk(rows, nodes, inputs, start, pasts);
                    PeakHeldPositions = Math.Max(PeakHeldPositions, previous.Sum(r => r.Positions) + current.Sum(r => r.Positions) + run.Positions);
                    for (var u = 0; u < rows.Length; u++)
                    {
                        var offset = u * run.Seq - start[rows[u]];
                        Fill(results, nodes[rows[u]], inputs, start[rows[u]], nodes[rows[u]].End, p => run.Scores.AsSpan((offset + p) * _width, _width).ToArray());
                    }
                    if (keep)
                    {
                        current.Add(run);
                        for (var u = 0; u < rows.Length; u++) caches[rows[u]] = run.Row(u);
                        if (_cache is not null)
                        {
                            _memory.Synchronize();   // the run wrote its presents on ONNX Runtime's stream
                            foreach (var r in rows)
                            {
                                // the entry this row's past came from: a kept prefix inside the node, or its parent's
                                var past = kept[r] is { } k && k.Length < nodes[r].End ? k : nodes[r].Parent >= 0 ? entryAt[nodes[r].Parent] : null;
                                entryAt[r] = Keep(r, caches[r]!, past, nodes, inputs, hashes, results, searches);
                            }
                            _memory.Synchronize();   // the copies are done before the run's presents can be freed
                        }
                    }
                    else run.Dispose();
                }
                // This level's runs read their pasts from the previous level's presents: the call lets go of them
                // (those the cache keeps stay).
                foreach (var r in previous) r.Dispose();
                (previous, current) = (current, []);
            }
            _cache?.EndCall(searches is null ? [] : searches.OfType<long>().ToHashSet());
        }
        catch
        {
            // Out of device memory, cancelled, a bad input: start the next call from a clean slate.
            _cache?.Clear();
            throw;
        }
        finally
        {
            foreach (var r in previous.Concat(current)) r.Dispose();
        }
        for (var i = 0; i < inputs.Count; i++)
            for (var k = 0; k < results[i].Length; k++)
                if (results[i][k] is null)
                    throw new ArgumentException($"PRM input {i}: marker {inputs[i].Markers[k]} is outside its {inputs[i].Ids.Length} tokens");
        return results;
    }

    // Each member's markers at positions [from, to) get the head's row there.
    private static void Fill(float[][][] results, PrefixNode node, IReadOnlyList<(int[] Ids, int[] Markers)> inputs, int from, int to, Func<int, float[]> rowAt)
    {
        foreach (var m in node.Members)
        {
            var markers = inputs[m].Markers;
            for (var k = 0; k < markers.Length; k++)
                if (markers[k] >= from && markers[k] < to) results[m][k] = rowAt(markers[k]);
        }
    }

    // Makes a node that others continue an entry of the cache, with the scores of its members' markers inside it: its own
    // positions in a buffer continuing the entry its past came from (the whole prefix when there is none). Null when the
    // arena has no room for it.
    private PrmPrefixCache.Entry? Keep(int n, KvRow row, PrmPrefixCache.Entry? past, IReadOnlyList<PrefixNode> nodes,
        IReadOnlyList<(int[] Ids, int[] Markers)> inputs, ulong[][] hashes, float[][][] results, IReadOnlyList<long?>? searches)
    {
        var node = nodes[n];
        var scores = new Dictionary<int, float[]>();
        foreach (var m in node.Members)
        {
            var markers = inputs[m].Markers;
            for (var k = 0; k < markers.Length; k++)
                if (markers[k] < node.End && results[m][k] is { } s) scores.TryAdd(markers[k], s);
        }
        var first = node.Members[0];   // hashed by the lookups before the runs
        if (_cache!.Find(inputs[first].Ids, node.End, hashes[first]) is { } existing)
        {
            // kept without a score this call needed, so the node ran again: the same cache, more scores (replacing the entry
            // would drop the entries that continue it, which this call may be reading)
            foreach (var (p, v) in scores) existing.Scores.TryAdd(p, v);
            _cache.Touch(existing);
            return existing;
        }
        KvRow own;
        try
        {
            own = Compact(row, node.End, past?.Row);
        }
        catch (OnnxRuntimeException)
        {
            NotKept++;
            return null;   // the arena is full: this prefix is not kept (the call itself goes on)
        }
        var search = searches is null ? null : searches[first];
        if (search is not null && node.Members.Any(m => searches![m] != search)) search = null;   // shared by several searches
        return _cache.Add(inputs[first].Ids, node.End, hashes[first], own, scores, search, past);
    }

    // A copy of a run's row with its real positions only (the mask's runs of ones, in order) after the first
    // basePrefix.Length of them, which basePrefix holds, in a buffer of its own.
    private KvRow Compact(KvRow source, int length, KvRow? basePrefix)
    {
        var skip = basePrefix?.Length ?? 0;
        var segments = new List<(int From, int Length)>();
        var real = 0;
        for (var t = 0; t < source.Length; t++)
        {
            if (source.Mask[t] == 0) continue;
            if (real++ < skip) continue;
            if (segments.Count > 0 && segments[^1].From + segments[^1].Length == t) segments[^1] = (segments[^1].From, segments[^1].Length + 1);
            else segments.Add((t, 1));
        }
        if (real != length)
            throw new InvalidOperationException($"a kept prefix of {length} tokens has {real} real cache positions");
        var own = length - skip;
        var position = (long)_headSize * _element;
        var tensorBytes = (long)_heads * own * position;
        var (data, buffer) = _buffers!.Allocate(2 * _layers * tensorBytes);
        for (var tensor = 0; tensor < 2 * _layers; tensor++)
        {
            var from = source.Address(tensor, _heads, position);
            var to = (IntPtr)((long)data + tensor * tensorBytes);
            var at = 0L;
            foreach (var (start, count) in segments)
            {
                _memory.CopyStrided((IntPtr)((long)from + start * position), source.Length * position, (IntPtr)((long)to + at * position),
                    own * position, count * position, _heads);
                at += count;
            }
        }
        CopiedPositions += own;
        CopyCalls += (long)segments.Count * 2 * _layers;
        return KvRow.Owned(data, buffer, own, basePrefix);
    }

    // Consecutive runnable nodes of a level (parents, then leaves, each sorted by length) whose padded size fits the
    // prefill token budget and whose attention scores fit theirs; a chunk never mixes parents and leaves.
    private IEnumerable<(int From, int To)> Chunks(IReadOnlyList<PrefixNode> nodes, int[] level, int[] start, KvRow?[] pasts, bool[] continued)
    {
        var budget = Math.Max(1, _model.Options.MaxPrefillTokens);
        // score elements per head: rows x new positions x all positions
        var scores = (long)(_model.Options.MaxPrefillAttentionGiB * (1L << 30) / (4.0 * Math.Max(1, _model.Manifest.NumHeads)));
        var from = 0;
        while (from < level.Length)
        {
            var to = from + 1;
            var seq = nodes[level[from]].End - start[level[from]];
            var past = pasts[level[from]]?.Length ?? 0;
            while (to < level.Length && continued[level[to]] == continued[level[from]])
            {
                var s = Math.Max(seq, nodes[level[to]].End - start[level[to]]);
                var p = Math.Max(past, pasts[level[to]]?.Length ?? 0);
                var rows = to - from + 1;
                if ((long)(s + p) * rows > budget || (long)s * (s + p) * rows > scores) break;
                (seq, past) = (s, p);
                to++;
            }
            yield return (from, to);
            from = to;
        }
    }

    private PrmRun RunChunk(int[] rows, IReadOnlyList<PrefixNode> nodes, IReadOnlyList<(int[] Ids, int[] Markers)> inputs, int[] start, KvRow?[] pasts)
    {
        var n = rows.Length;
        var seq = rows.Max(r => nodes[r].End - start[r]);
        var past = rows.Max(r => pasts[r]?.Length ?? 0);
        var total = past + seq;
        var ids = new long[n * seq];
        var mask = new long[n * total];
        var positions = new long[n * seq];
        for (var u = 0; u < n; u++)
        {
            var node = nodes[rows[u]];
            var parent = pasts[rows[u]];
            var source = inputs[node.Members[0]].Ids;
            var first = start[rows[u]];
            var length = node.End - first;
            ids.AsSpan(u * seq, seq).Fill(_model.PadId);
            for (var t = 0; t < length; t++) ids[u * seq + t] = source[first + t];
            // [left padding | the past's mask row | this node's tokens | right padding]
            if (parent is not null) parent.Mask.CopyTo(mask.AsSpan(u * total + past - parent.Length));
            mask.AsSpan(u * total + past, length).Fill(1);
            for (var t = 0; t < seq; t++) positions[u * seq + t] = first + Math.Min(t, length - 1);
            PrefilledTokens += length;
            PaddedTokens += seq;
        }

        using var binding = _model.Session.CreateIoBinding();
        var inputsToFree = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, [n, seq]),
            OrtValue.CreateTensorValueFromMemory(mask, [n, total]),
            OrtValue.CreateTensorValueFromMemory(positions, [n, seq]),
        };
        try
        {
            binding.BindInput("input_ids", inputsToFree[0]);
            binding.BindInput("attention_mask", inputsToFree[1]);
            binding.BindInput("position_ids", inputsToFree[2]);
            BindPasts(binding, rows, pasts, n, past, inputsToFree);
            binding.BindOutputToDevice(_output, OrtMemoryInfo.DefaultInstance);
            for (var l = 0; l < _layers; l++)
            {
                binding.BindOutputToDevice($"present.{l}.key", _memory.Info);
                binding.BindOutputToDevice($"present.{l}.value", _memory.Info);
            }
            _model.Session.RunWithBinding(_options, binding);
            Runs++;
            var outputs = binding.GetOutputValues();
            var head = outputs[0];
            var count = n * seq * _width;
            var scores = TensorRows.Row(head, head.GetTensorTypeAndShape().ElementDataType, 0, count, new float[count]).ToArray();
            return new PrmRun(n, seq, total, scores, mask, outputs, outputs);
        }
        finally
        {
            foreach (var v in inputsToFree) v.Dispose();
        }
    }

    // Each row's past: its parent's present row, right-aligned in [n, heads, past, head_size] (the left
    // padding zeroed: masked, but a NaN there would still poison the softmax's weighted sum).
    private void BindPasts(OrtIoBinding binding, int[] rows, KvRow?[] pasts, int n, int past, List<OrtValue> owned)
    {
        if (past == 0)
        {
            for (var l = 0; l < _layers; l++)
                foreach (var kv in new[] { "key", "value" })
                {
                    var empty = _kvType == TensorElementType.Float16
                        ? OrtValue.CreateTensorValueFromMemory(Array.Empty<Float16>(), [n, _heads, 0, _headSize])
                        : OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [n, _heads, 0, _headSize]);
                    owned.Add(empty);
                    binding.BindInput($"past_key_values.{l}.{kv}", empty);
                }
            return;
        }
        var position = (long)_headSize * _element;
        var bytes = (long)n * _heads * past * position;
        if (bytes > _pastBytes)
        {
            foreach (var p in _past) if (p != IntPtr.Zero) _memory.Free(p);
            _pastBytes = Math.Max(bytes, _pastBytes * 2);
            for (var i = 0; i < _past.Length; i++) _past[i] = _memory.Allocate(_pastBytes);
        }
        _memory.Synchronize();   // the parents' runs wrote their presents on ONNX Runtime's stream
        for (var i = 0; i < _past.Length; i++) _memory.Zero(_past[i], bytes);
        for (var u = 0; u < n; u++)
        {
            var parent = pasts[rows[u]]!;
            var pieces = parent.Pieces();
            foreach (var piece in pieces)   // a kept prefix's segments, root first
                for (var l = 0; l < _layers; l++)
                    for (var kv = 0; kv < 2; kv++)
                    {
                        var source = piece.Address(2 * l + kv, _heads, position);
                        var destination = (IntPtr)((long)_past[2 * l + kv] + ((long)u * _heads * past + past - parent.Length + piece.Offset) * position);
                        _memory.CopyStrided(source, piece.OwnLength * position, destination, past * position, piece.OwnLength * position, _heads);
                    }
            Copies++;
            CopiedPositions += parent.Length;
            CopyCalls += (long)pieces.Count * 2 * _layers;
        }
        _memory.Synchronize();
        long[] shape = [n, _heads, past, _headSize];
        for (var l = 0; l < _layers; l++)
            for (var kv = 0; kv < 2; kv++)
            {
                var view = OrtValue.CreateTensorValueWithData(_memory.Info, _kvType, shape, _past[2 * l + kv], bytes);
                owned.Add(view);
                binding.BindInput($"past_key_values.{l}.{(kv == 0 ? "key" : "value")}", view);
            }
    }

    public void Dispose()
    {
        _cache?.Dispose();
        _buffers?.Dispose();
        _options.Dispose();
        foreach (var p in _past) if (p != IntPtr.Zero) _memory.Free(p);
        Array.Clear(_past);
        _pastBytes = 0;
    }
}
