using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>One chunk's run of a shared-cache PRM: the head's scores (host) and the presents (device,
/// <see cref="Positions"/> = rows x positions), held until the next level has copied its pasts out of them.</summary>
internal sealed class PrmRun : IDisposable
{
    private readonly IDisposable _owner;
    private readonly long[] _mask;

    /// <param name="mask">The run's attention mask, rows x <paramref name="total"/> (past + new positions).</param>
    public PrmRun(int rows, int seq, int total, float[] scores, long[] mask, IReadOnlyList<OrtValue>? outputs, IDisposable owner)
    {
        (Seq, Total, Scores, _mask, Outputs, _owner) = (seq, total, scores, mask, outputs, owner);
        Positions = (long)rows * total;
    }

    public int Seq { get; }
    public int Total { get; }
    public float[] Scores { get; }
    /// <summary>Output 0 is the head; presents follow as key, value per layer.</summary>
    public IReadOnlyList<OrtValue>? Outputs { get; }
    public long Positions { get; }

    /// <summary>Row <paramref name="u"/>'s cache: a past for the nodes that continue it.</summary>
    public KvRow Row(int u) => KvRow.InRun(this, u, Total, _mask.AsSpan(u * Total, Total).ToArray());

    public void Dispose() => _owner.Dispose();
}

/// <summary>A prefix's cache, <see cref="Length"/> positions of keys and values for every layer with the mask row
/// that says which positions are real: either a row of a run's presents (a chunk's padding leaves holes) or a
/// buffer of its own with the real positions only, laid out [tensor (key, value per layer), head, position, dim],
/// which is what the caches kept across calls hold (<see cref="PrmPrefixCache"/>, <see cref="PromptKvCache"/>).</summary>
internal sealed class KvRow
{
    private readonly PrmRun? _run;
    private readonly IntPtr _data;
    private readonly IDisposable? _owner;

    private KvRow(PrmRun? run, int row, IntPtr data, IDisposable? owner, int length, long[] mask) =>
        (_run, Row, _data, _owner, Length, Mask) = (run, row, data, owner, length, mask);

    public static KvRow InRun(PrmRun run, int row, int length, long[] mask) => new(run, row, IntPtr.Zero, null, length, mask);

    /// <summary>A row of its own at <paramref name="data"/>, every position real; <paramref name="owner"/> frees it.</summary>
    public static KvRow Owned(IntPtr data, IDisposable owner, int length) =>
        new(null, 0, data, owner, length, Enumerable.Repeat(1L, length).ToArray());

    public int Row { get; }
    public int Length { get; }
    public long[] Mask { get; }

    public unsafe IntPtr Address(int tensor, int heads, long positionBytes)
    {
        if (_run is null) return (IntPtr)((long)_data + (long)tensor * heads * Length * positionBytes);
        var data = _run.Outputs![1 + tensor].GetTensorMutableRawData();
        fixed (byte* p = data)
            return (IntPtr)(p + (long)Row * heads * Length * positionBytes);
    }

    /// <summary>Frees a row of its own (a run's rows go with the run).</summary>
    public void Release() => _owner?.Dispose();
}

/// <summary>Buffers of their own for kept caches (<see cref="KvRow.Owned"/>): from the session's memory arena on CUDA,
/// as its presents are, so that many small buffers come and go without cudaMalloc/cudaFree (which synchronizes the
/// device); from the runtime's own allocations where no arena allocator exists; host memory on CPU.</summary>
internal sealed class KvRowBuffers : IDisposable
{
    private readonly DeviceMemory _memory;
    private readonly OrtAllocator? _allocator;

    public KvRowBuffers(LanguageModel model, DeviceMemory memory)
    {
        _memory = memory;
        try
        {
            _allocator = model.ExecutionProvider == "CUDA" ? new OrtAllocator(model.Session, memory.Info) : OrtAllocator.DefaultInstance;
        }
        catch (OnnxRuntimeException)
        {
            _allocator = null;
        }
    }

    /// <summary>A buffer of <paramref name="bytes"/> bytes and what frees it. Throws <see cref="OnnxRuntimeException"/>
    /// when the arena is full.</summary>
    public unsafe (IntPtr Data, IDisposable Owner) Allocate(long bytes)
    {
        if (_allocator is null)
        {
            var p = _memory.Allocate(bytes);
            return (p, new Freed(_memory, p));
        }
        var value = OrtValue.CreateAllocatedTensorValue(_allocator, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt8, [bytes]);
        fixed (byte* p = value.GetTensorMutableRawData()) return ((IntPtr)p, value);
    }

    public void Dispose()
    {
        if (_allocator is not null && !ReferenceEquals(_allocator, OrtAllocator.DefaultInstance)) _allocator.Dispose();
    }

    private sealed class Freed(DeviceMemory memory, IntPtr data) : IDisposable
    {
        public void Dispose() => memory.Free(data);
    }
}
