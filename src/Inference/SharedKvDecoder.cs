using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.Inference;

/// <summary>Runs a shared-cache decoder (manifest <c>"kv_cache": "shared"</c>): the KV cache lives in
/// buffers this class allocates once on the execution provider's device, [capacity, kv_heads,
/// max_length, head_size] per layer, and the graph writes each step's keys/values into them in place.
/// A row's tokens start at position 0 of its slot, so rows of any length share a batch without padding
/// or masks; moving a row (prefix sharing, dropping finished rows) is one device copy per layer.
/// A decode step binds fixed buffers (ids, lengths, logits, next token) and, on CUDA, is captured as a
/// CUDA graph once per batch size and replayed after that: the host uploads ids and lengths and reads
/// back one token id per row (the argmax, or a temperature draw made on the device by DeviceSampler).
/// Only a row sampling with top_p &lt; 1 brings its logits to the host (<see cref="LogitsRow"/>).
/// Not thread-safe: one generation at a time (<see cref="LanguageModel"/> hands it out under a lock).</summary>
internal sealed class SharedKvDecoder : IDisposable
{
    private readonly LanguageModel _model;
    private readonly DeviceMemory _memory;
    private readonly bool _graphs;
    // ONNX Runtime runs a graph id normally before capturing it (one warm-up run by default); a margin over that
    private const int CaptureRuns = 4;
    private readonly int _layers;
    private readonly int _heads;
    private readonly int _headSize;
    private readonly TensorElementType _kvType;
    private readonly int _kvElement;
    private readonly TensorElementType _logitsType;
    private readonly int _logitsElement;
    private readonly Dictionary<int, DecodeStep> _steps = [];
    private readonly RunOptions _prefillOptions = new();
    private IntPtr[] _keys = [];
    private IntPtr[] _values = [];
    private IntPtr _ids, _seqlens, _lastIndex, _logits, _next;
    private int _generation;
    private int _lastBatch;
    private DeviceSampler? _sampler;
    // Host copy of the logits row last fetched by LogitsRow, [1, vocab].
    private readonly OrtValue _hostLogits;

    private readonly KvRowBuffers? _buffers;

    public SharedKvDecoder(LanguageModel model)
    {
        _model = model;
        _memory = DeviceMemory.For(model);
        _graphs = model.ExecutionProvider == "CUDA" && model.Options.CudaGraphs;
        var m = model.Manifest;
        (_layers, _heads, _headSize) = (m.NumLayers, m.NumKvHeads, m.HeadSize);
        _kvType = model.Session.InputMetadata["past_key_values.0.key"].ElementDataType;
        _kvElement = ElementBytes(_kvType);
        var logits = model.Session.OutputMetadata["logits"];
        _logitsType = logits.ElementDataType;
        _logitsElement = ElementBytes(_logitsType);
        Vocab = logits.Dimensions[^1] > 0 ? logits.Dimensions[^1] : m.VocabSize;
        _hostLogits = _logitsType == TensorElementType.Float16
            ? OrtValue.CreateTensorValueFromMemory(new Float16[Vocab], [1, Vocab])
            : OrtValue.CreateTensorValueFromMemory(new float[Vocab], [1, Vocab]);
        // Prefill runs vary in shape: never captured.
        if (_graphs) _prefillOptions.AddRunConfigEntry("gpu_graph_id", "-1");
        var positionBytes = 2L * _layers * _heads * _headSize * _kvElement;
        var budget = (long)(model.Options.PolicyPrefixCacheGiB * (1L << 30)) / positionBytes;
        if (budget > 0)
        {
            Prompts = new PromptKvCache(budget);
            _buffers = new KvRowBuffers(model, _memory);
        }
    }

    /// <summary>Prompts kept across calls (<see cref="InferenceOptions.PolicyPrefixCacheGiB"/>); null when 0.</summary>
    public PromptKvCache? Prompts { get; }

    /// <summary>A copy of slot <paramref name="slot"/>'s first <paramref name="length"/> positions, in a buffer of its own
    /// laid out [tensor (key, value per layer), head, position, dim]. Null when the arena has no room.
    /// Not synchronized: call <see cref="SynchronizeCopies"/> before (the slot's writer ran on ONNX Runtime's stream)
    /// and after (before the slot is written again).</summary>
    public KvRow? CopyOut(int slot, int length)
    {
        var position = (long)_headSize * _kvElement;
        var tensorBytes = (long)_heads * length * position;
        IntPtr data;
        IDisposable owner;
        try
        {
            (data, owner) = _buffers!.Allocate(2 * _layers * tensorBytes);
        }
        catch (OnnxRuntimeException)
        {
            return null;
        }
        for (var l = 0; l < _layers; l++)
            for (var kv = 0; kv < 2; kv++)
                _memory.CopyStrided(Offset(kv == 0 ? _keys[l] : _values[l], slot), MaxLength * position,
                    (IntPtr)((long)data + (2 * l + kv) * tensorBytes), length * position, length * position, _heads);
        return KvRow.Owned(data, owner, length);
    }

    /// <summary>Copies the first <paramref name="count"/> positions of a kept row into slot <paramref name="slot"/>.
    /// Not synchronized: call <see cref="SynchronizeCopies"/> before the next run.</summary>
    public void CopyIn(KvRow row, int count, int slot)
    {
        if (count > row.Length || count > MaxLength) throw new ArgumentOutOfRangeException(nameof(count));
        var position = (long)_headSize * _kvElement;
        foreach (var piece in row.Pieces())
        {
            var n = Math.Min(piece.OwnLength, count - piece.Offset);
            if (n <= 0) break;
            for (var l = 0; l < _layers; l++)
                for (var kv = 0; kv < 2; kv++)
                    _memory.CopyStrided(piece.Address(2 * l + kv, _heads, position), piece.OwnLength * position,
                        (IntPtr)((long)Offset(kv == 0 ? _keys[l] : _values[l], slot) + piece.Offset * position), MaxLength * position,
                        n * position, _heads);
        }
    }

    public void SynchronizeCopies() => _memory.Synchronize();

    /// <summary>Rows the buffers hold.</summary>
    public int Capacity { get; private set; }
    /// <summary>Positions per row (prompt + generated tokens).</summary>
    public int MaxLength { get; private set; }
    public int Vocab { get; }
    private long SlotBytes => (long)_heads * MaxLength * _headSize * _kvElement;

    /// <summary>Batch sizes a decode step runs at: powers of two when steps are captured (one graph
    /// each), any size otherwise.</summary>
    public int BatchFor(int rows) => _graphs || _model.PowerOfTwoBatches
        ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(rows, 1))
        : rows;

    /// <summary>Makes room for <paramref name="rows"/> rows of <paramref name="length"/> positions. Grows
    /// (rounded up, so a worker settles on one size) and drops captured graphs; never shrinks.</summary>
    public void Reserve(int rows, int length)
    {
        if (length > _model.Manifest.MaxPositions)
            throw new ArgumentException($"{length} positions requested, model '{_model.Manifest.Name}' allows {_model.Manifest.MaxPositions}");
        if (rows <= Capacity && length <= MaxLength) return;
        var capacity = Math.Max(Capacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)rows));
        var maxLength = Math.Min(_model.Manifest.MaxPositions, Math.Max(MaxLength, (length + 255) / 256 * 256));
        Release();
        Capacity = capacity;
        MaxLength = maxLength;
        _generation++;
        _keys = new IntPtr[_layers];
        _values = new IntPtr[_layers];
        for (var l = 0; l < _layers; l++)
        {
            _keys[l] = _memory.Allocate(Capacity * SlotBytes);
            _values[l] = _memory.Allocate(Capacity * SlotBytes);
        }
        _ids = _memory.Allocate(Capacity * 8L);
        _seqlens = _memory.Allocate(Capacity * 4L);
        _lastIndex = _memory.Allocate(Capacity * 8L);
        _logits = _memory.Allocate((long)Capacity * Vocab * _logitsElement);
        _next = _memory.Allocate(Capacity * 8L);
        // A decode step has one position per row: row b's logits come from flat position b.
        _memory.Upload<long>(Enumerable.Range(0, Capacity).Select(i => (long)i).ToArray(), _lastIndex);
    }

    /// <summary>Runs prompts into slots [first, first+n): <paramref name="ids"/> is [n, seq], each row's
    /// prompt from position 0 and padded on the right to seq (causal attention never looks right, so the
    /// padding changes nothing). Returns each row's logits after its last prompt token, as float32.</summary>
    public float[][] Prefill(int first, int n, int seq, long[] ids, int[] lengths)
    {
        if (first + n > Capacity || seq > MaxLength) throw new ArgumentOutOfRangeException(nameof(n), "prefill outside the reserved buffers");
        var seqlens = lengths.Select(x => x - 1).ToArray();
        var last = lengths.Select((x, u) => (long)u * seq + x - 1).ToArray();
        using var binding = _model.Session.CreateIoBinding();
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [n, seq]);
        using var seqlensValue = OrtValue.CreateTensorValueFromMemory(seqlens, [n]);
        using var totalValue = OrtValue.CreateTensorValueFromMemory(new[] { seq }, []);
        using var lastValue = OrtValue.CreateTensorValueFromMemory(last, [n]);
        binding.BindInput("input_ids", idsValue);
        binding.BindInput("seqlens_k", seqlensValue);
        binding.BindInput("total_sequence_length", totalValue);
        binding.BindInput("last_index", lastValue);
        // Outputs come back in binding order: logits first.
        binding.BindOutputToDevice("logits", OrtMemoryInfo.DefaultInstance);
        binding.BindOutputToDevice("next_token", OrtMemoryInfo.DefaultInstance);
        var views = BindCache(binding, first, n);
        try
        {
            _model.Session.RunWithBinding(_prefillOptions, binding);
            using var outputs = binding.GetOutputValues();
            var logits = outputs[0];
            var rows = new float[n][];
            for (var u = 0; u < n; u++)
                rows[u] = TensorRows.Row(logits, _logitsType, (long)u * Vocab, Vocab, new float[Vocab]).ToArray();
            return rows;
        }
        finally
        {
            foreach (var v in views) v.Dispose();
        }
    }

    /// <summary>One token for each of slots [0, batch): <paramref name="ids"/> is the token to feed,
    /// <paramref name="seqlens"/> the number of tokens already in the slot's cache (where the new one
    /// goes). Fills <paramref name="next"/> with each row's argmax; the logits stay on the device for
    /// <see cref="SampleOnDevice"/> and <see cref="LogitsRow"/>.</summary>
    public void Decode(int batch, long[] ids, int[] seqlens, long[] next)
    {
        if (batch > Capacity) throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} > capacity {Capacity}");
        if (!_steps.TryGetValue(batch, out var step))
            _steps[batch] = step = new DecodeStep(this, batch);
        // ONNX Runtime captures a graph id on one of its first runs on a thread; no other thread may touch CUDA
        // meanwhile. Only runs that returned count: a run that failed (out of memory, say) may have been the capture,
        // which ONNX Runtime then tries again on a later run, and that one must hold the gate too.
        var thread = Environment.CurrentManagedThreadId;
        using var gate = _graphs && step.Runs.MayCapture(thread) ? CudaCaptureGate.Exclusive() : null;
        _memory.Upload<long>(ids.AsSpan(0, batch), _ids);
        _memory.Upload<int>(seqlens.AsSpan(0, batch), _seqlens);
        _model.Session.RunWithBinding(step.Options, step.Binding);
        step.Runs.Ran(thread);
        _memory.Download(_next, next.AsSpan(0, batch));
        _lastBatch = batch;
    }

    /// <summary>Temperature draws from the last step's logits, on the device (<see cref="DeviceSampler"/>).</summary>
    public void SampleOnDevice(float[] inverseTemperature, float[] uniform, long[] tokens)
    {
        _sampler ??= new DeviceSampler(_model, _logitsType);
        using var logits = View(_logits, _logitsType, [_lastBatch, Vocab], (long)_lastBatch * Vocab * _logitsElement);
        using var argmax = View(_next, TensorElementType.Int64, [_lastBatch], _lastBatch * 8L);
        _sampler.Sample(logits, argmax, inverseTemperature, uniform, _lastBatch, tokens);
    }

    /// <summary>One row of the last step's logits in host memory, as float32 (rows that sample with
    /// top_p &lt; 1, which needs a sort the device sampler does not do).</summary>
    public ReadOnlySpan<float> LogitsRow(int slot, float[] scratch)
    {
        var source = (IntPtr)((long)_logits + (long)slot * Vocab * _logitsElement);
        if (_logitsType == TensorElementType.Float16)
            _memory.Download(source, _hostLogits.GetTensorMutableDataAsSpan<Float16>());
        else
            _memory.Download(source, _hostLogits.GetTensorMutableDataAsSpan<float>());
        return TensorRows.Row(_hostLogits, _logitsType, 0, Vocab, scratch);
    }

    /// <summary>Copies slot <paramref name="from"/>'s cache over slot <paramref name="to"/> (every layer, keys and values).</summary>
    public void CopySlot(int from, int to)
    {
        if (from == to) return;
        for (var l = 0; l < _layers; l++)
        {
            _memory.CopyWithin(Offset(_keys[l], from), Offset(_keys[l], to), SlotBytes);
            _memory.CopyWithin(Offset(_values[l], from), Offset(_values[l], to), SlotBytes);
        }
    }

    // Views of slots [first, first+n) bound as both past and present: the graph writes in place.
    private List<OrtValue> BindCache(OrtIoBinding binding, int first, int n)
    {
        var views = new List<OrtValue>(2 * _layers);
        long[] shape = [n, _heads, MaxLength, _headSize];
        for (var l = 0; l < _layers; l++)
        {
            var k = View(Offset(_keys[l], first), _kvType, shape, n * SlotBytes);
            var v = View(Offset(_values[l], first), _kvType, shape, n * SlotBytes);
            views.Add(k);
            views.Add(v);
            binding.BindInput($"past_key_values.{l}.key", k);
            binding.BindInput($"past_key_values.{l}.value", v);
            binding.BindOutput($"present.{l}.key", k);
            binding.BindOutput($"present.{l}.value", v);
        }
        return views;
    }

    private IntPtr Offset(IntPtr buffer, int slot) => (IntPtr)((long)buffer + slot * SlotBytes);

    private OrtValue View(IntPtr address, TensorElementType type, long[] shape, long bytes) =>
        OrtValue.CreateTensorValueWithData(_memory.Info, type, shape, address, bytes);

    private static int ElementBytes(TensorElementType t) => t switch
    {
        TensorElementType.Float => 4,
        TensorElementType.Float16 => 2,
        _ => throw new NotSupportedException($"element type {t}: only float32 and float16 caches and logits are supported"),
    };

    private void Release()
    {
        foreach (var s in _steps.Values) s.Dispose();
        _steps.Clear();
        foreach (var p in _keys.Concat(_values).Append(_ids).Append(_seqlens).Append(_lastIndex).Append(_logits).Append(_next))
            if (p != IntPtr.Zero) _memory.Free(p);
        _keys = [];
        _values = [];
        _ids = _seqlens = _lastIndex = _logits = _next = IntPtr.Zero;
    }

    public void Dispose()
    {
        Prompts?.Dispose();
        _buffers?.Dispose();
        Release();
        _hostLogits.Dispose();
        _sampler?.Dispose();
        _prefillOptions.Dispose();
    }

    /// <summary>The bindings of a decode step at one batch size: the same buffers every step, so a
    /// captured CUDA graph stays valid (it replays with whatever those buffers hold).</summary>
    private sealed class DecodeStep : IDisposable
    {
        private readonly List<OrtValue> _values;

        public DecodeStep(SharedKvDecoder d, int batch)
        {
            Binding = d._model.Session.CreateIoBinding();
            Options = new RunOptions();
            // ONNX Runtime captures a graph per id (ids > 0), after a warm-up run.
            if (d._graphs) Options.AddRunConfigEntry("gpu_graph_id", (d._generation * 65536 + batch).ToString(System.Globalization.CultureInfo.InvariantCulture));
            _values =
            [
                d.View(d._ids, TensorElementType.Int64, [batch, 1], batch * 8L),
                d.View(d._seqlens, TensorElementType.Int32, [batch], batch * 4L),
                d.View(d._lastIndex, TensorElementType.Int64, [batch], batch * 8L),
                // total_sequence_length is read on the host (a CPU input): the buffer length, so the
                // captured kernels are valid for every step; seqlens_k bounds each row.
                OrtValue.CreateTensorValueFromMemory(new[] { d.MaxLength }, []),
                d.View(d._logits, d._logitsType, [batch, d.Vocab], (long)batch * d.Vocab * d._logitsElement),
                d.View(d._next, TensorElementType.Int64, [batch], batch * 8L),
            ];
            Binding.BindInput("input_ids", _values[0]);
            Binding.BindInput("seqlens_k", _values[1]);
            Binding.BindInput("last_index", _values[2]);
            Binding.BindInput("total_sequence_length", _values[3]);
            Binding.BindOutput("logits", _values[4]);
            Binding.BindOutput("next_token", _values[5]);
            _values.AddRange(d.BindCache(Binding, 0, batch));
        }

        public OrtIoBinding Binding { get; }
        public RunOptions Options { get; }
        /// <summary>Decode steps that ran to the end with these bindings, per thread.</summary>
        public CaptureRunCounter Runs { get; } = new(CaptureRuns);

        public void Dispose()
        {
            Binding.Dispose();
            Options.Dispose();
            foreach (var v in _values) v.Dispose();
        }
    }
}
