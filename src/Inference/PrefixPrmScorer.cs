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
    }

    /// <summary>What the runs did, summed over calls (benchmarks and tests).</summary>
    public long PrefilledTokens { get; private set; }
    public long PaddedTokens { get; private set; }
    public int Runs { get; private set; }
    public int Copies { get; private set; }
    /// <summary>Most cache positions (rows x past + new positions of the presents held) held at once in one call,
    /// the device memory the presents take in units of one position's keys and values over all layers.</summary>
    public long PeakHeldPositions { get; private set; }

    /// <summary>For every input, the head's output row (<c>width</c> floats) at each of its markers.</summary>
    public float[][][] Score(IReadOnlyList<(int[] Ids, int[] Markers)> inputs, int minSegment, CancellationToken cancellationToken)
    {
        var results = inputs.Select(x => new float[x.Markers.Length][]).ToArray();
        if (inputs.Count == 0) return results;
        var nodes = PrefixTree.Plan(inputs.Select(x => x.Ids).ToList(), minSegment);
        var continued = new bool[nodes.Count];
        foreach (var node in nodes) if (node.Parent >= 0) continued[node.Parent] = true;
        // Leaves after the nodes that others continue, so that a chunk is all leaves (freed at once) or all parents.
        var levels = Enumerable.Range(0, nodes.Count).GroupBy(i => nodes[i].Level).OrderBy(g => g.Key)
            .Select(g => g.OrderBy(i => continued[i] ? 0 : 1).ThenBy(i => nodes[i].End - nodes[i].Start).ThenBy(i => i).ToArray()).ToList();
        var caches = new RowCache?[nodes.Count];
        var previous = new List<Run>();
        var current = new List<Run>();
        try
        {
            foreach (var level in levels)
            {
                foreach (var (from, to) in Chunks(nodes, level, caches, continued))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var rows = level[from..to];
                    var keep = rows.Any(r => continued[r]);
                    var run = RunChunk(rows, nodes, inputs, caches, keep);
                    PeakHeldPositions = Math.Max(PeakHeldPositions, previous.Sum(r => r.Positions) + current.Sum(r => r.Positions) + run.Positions);
                    if (keep) current.Add(run);
                    else run.Dispose();
                    for (var u = 0; u < run.Nodes.Length; u++)
                    {
                        var node = nodes[run.Nodes[u]];
                        foreach (var m in node.Members)
                        {
                            var markers = inputs[m].Markers;
                            for (var k = 0; k < markers.Length; k++)
                                if (markers[k] >= node.Start && markers[k] < node.End)
                                    results[m][k] = run.Scores.AsSpan((u * run.Seq + markers[k] - node.Start) * _width, _width).ToArray();
                        }
                    }
                }
                // This level's runs read their pasts from the previous level's presents: now free.
                foreach (var r in previous) r.Dispose();
                (previous, current) = (current, []);
            }
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

    // Consecutive nodes of a level (parents, then leaves, each sorted by length) whose padded size fits the prefill
    // token budget; a chunk never mixes parents and leaves.
    private IEnumerable<(int From, int To)> Chunks(IReadOnlyList<PrefixNode> nodes, int[] level, RowCache?[] caches, bool[] continued)
    {
        var budget = Math.Max(1, _model.Options.MaxPrefillTokens);
        int PastOf(int n) => nodes[n].Parent < 0 ? 0 : caches[nodes[n].Parent]!.Length;
        var from = 0;
        while (from < level.Length)
        {
            var to = from + 1;
            var seq = nodes[level[from]].End - nodes[level[from]].Start;
            var past = PastOf(level[from]);
            while (to < level.Length && continued[level[to]] == continued[level[from]])
            {
                var s = Math.Max(seq, nodes[level[to]].End - nodes[level[to]].Start);
                var p = Math.Max(past, PastOf(level[to]));
                if ((long)(s + p) * (to - from + 1) > budget) break;
                (seq, past) = (s, p);
                to++;
            }
            yield return (from, to);
            from = to;
        }
    }

    private Run RunChunk(int[] rows, IReadOnlyList<PrefixNode> nodes, IReadOnlyList<(int[] Ids, int[] Markers)> inputs, RowCache?[] caches, bool keep)
    {
        var n = rows.Length;
        var seq = rows.Max(r => nodes[r].End - nodes[r].Start);
        var past = rows.Max(r => nodes[r].Parent < 0 ? 0 : caches[nodes[r].Parent]!.Length);
        var total = past + seq;
        var ids = new long[n * seq];
        var mask = new long[n * total];
        var positions = new long[n * seq];
        for (var u = 0; u < n; u++)
        {
            var node = nodes[rows[u]];
            var parent = node.Parent < 0 ? null : caches[node.Parent];
            var source = inputs[node.Members[0]].Ids;
            var length = node.End - node.Start;
            ids.AsSpan(u * seq, seq).Fill(_model.PadId);
            for (var t = 0; t < length; t++) ids[u * seq + t] = source[node.Start + t];
            // [left padding | the parent's mask row | this node's tokens | right padding]
            if (parent is not null) parent.Mask.CopyTo(mask.AsSpan(u * total + past - parent.Length));
            mask.AsSpan(u * total + past, length).Fill(1);
            for (var t = 0; t < seq; t++) positions[u * seq + t] = node.Start + Math.Min(t, length - 1);
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
            BindPasts(binding, rows, nodes, caches, n, past, inputsToFree);
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
            if (keep)
                for (var u = 0; u < n; u++)
                    caches[rows[u]] = new RowCache(outputs, u, total, mask.AsSpan(u * total, total).ToArray());
            return new Run(rows, seq, scores, outputs, (long)n * total);
        }
        finally
        {
            foreach (var v in inputsToFree) v.Dispose();
        }
    }

    // Each row's past: its parent's present row, right-aligned in [n, heads, past, head_size] (the left
    // padding zeroed: masked, but a NaN there would still poison the softmax's weighted sum).
    private void BindPasts(OrtIoBinding binding, int[] rows, IReadOnlyList<PrefixNode> nodes, RowCache?[] caches, int n, int past, List<OrtValue> owned)
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
            var parent = caches[nodes[rows[u]].Parent]!;
            for (var l = 0; l < _layers; l++)
                for (var kv = 0; kv < 2; kv++)
                {
                    var source = parent.Address(2 * l + kv, _heads, position);
                    var destination = (IntPtr)((long)_past[2 * l + kv] + ((long)u * _heads * past + past - parent.Length) * position);
                    _memory.CopyStrided(source, parent.Length * position, destination, past * position, parent.Length * position, _heads);
                }
            Copies++;
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
        _options.Dispose();
        foreach (var p in _past) if (p != IntPtr.Zero) _memory.Free(p);
        Array.Clear(_past);
        _pastBytes = 0;
    }

    /// <summary>One chunk's outputs: the head's scores (host) and the presents (device, <c>Positions</c> = rows x
    /// positions), kept until the next level has copied its pasts out of them.</summary>
    private sealed record Run(int[] Nodes, int Seq, float[] Scores, IDisposableReadOnlyCollection<OrtValue> Outputs, long Positions) : IDisposable
    {
        public void Dispose() => Outputs.Dispose();
    }

    /// <summary>Where a node's cache is: row <c>Row</c> of its run's presents, <c>Length</c> positions, with
    /// the mask row that says which of them are real.</summary>
    private sealed record RowCache(IDisposableReadOnlyCollection<OrtValue> Outputs, int Row, int Length, long[] Mask)
    {
        // Output 0 is the head; presents follow as key, value per layer.
        public unsafe IntPtr Address(int tensor, int heads, long positionBytes)
        {
            var data = Outputs[1 + tensor].GetTensorMutableRawData();
            fixed (byte* p = data)
                return (IntPtr)(p + Row * heads * Length * positionBytes);
        }
    }
}
