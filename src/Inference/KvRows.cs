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
/// that says which positions are real: either a row of a run's presents (a chunk's padding leaves holes) or buffers of
/// their own with the real positions only, which is what the caches kept across calls hold (<see cref="PrmPrefixCache"/>,
/// <see cref="PromptKvCache"/>). An owned row may hold only its last positions and continue a shorter owned row
/// (<see cref="Base"/>): a PRM's kept beam is its parent's prefix plus one step, and a copy of the whole prefix per
/// beam filled a 30 GiB budget with 809 beams of a 7B PRM at ~600 tokens each (34 MB a beam, against ~2.3 MB for its
/// own 40-token step). Each piece is laid out [tensor (key, value per layer), head, position, dim].</summary>
internal sealed class KvRow
{
    private readonly PrmRun? _run;
    private readonly IntPtr _data;
    private readonly IDisposable? _owner;

    private KvRow(PrmRun? run, int row, IntPtr data, IDisposable? owner, int length, long[] mask, KvRow? basePrefix) =>
        (_run, Row, _data, _owner, Length, Mask, Base) = (run, row, data, owner, length, mask, basePrefix);

    public static KvRow InRun(PrmRun run, int row, int length, long[] mask) => new(run, row, IntPtr.Zero, null, length, mask, null);

    /// <summary>A row of its own at <paramref name="data"/> holding <paramref name="length"/> positions after those of
    /// <paramref name="basePrefix"/> (an owned row that must outlive it), every position real; <paramref name="owner"/>
    /// frees the buffer.</summary>
    public static KvRow Owned(IntPtr data, IDisposable owner, int length, KvRow? basePrefix = null)
    {
        if (basePrefix is { _run: not null }) throw new ArgumentException("only an owned row can be continued", nameof(basePrefix));
        var total = (basePrefix?.Length ?? 0) + length;
        return new(null, 0, data, owner, total, Enumerable.Repeat(1L, total).ToArray(), basePrefix);
    }

    public int Row { get; }
    /// <summary>Positions of the whole prefix, the base's included.</summary>
    public int Length { get; }
    public long[] Mask { get; }
    /// <summary>The owned row that holds the first <see cref="Offset"/> positions; null when this row holds them all.</summary>
    public KvRow? Base { get; }
    /// <summary>The first position this row's own buffer holds.</summary>
    public int Offset => Base?.Length ?? 0;
    /// <summary>Positions in this row's own buffer: the pitch of its heads.</summary>
    public int OwnLength => Length - Offset;

    /// <summary>The rows whose buffers hold this prefix, the first positions first (this row last).</summary>
    public IReadOnlyList<KvRow> Pieces()
    {
        var pieces = new List<KvRow>();
        for (var r = this; r is not null; r = r.Base) pieces.Add(r);
        pieces.Reverse();
        return pieces;
    }

    /// <summary>Where this row's own positions of <paramref name="tensor"/> start: head h at + h x <see cref="OwnLength"/>
    /// positions.</summary>
    public unsafe IntPtr Address(int tensor, int heads, long positionBytes)
    {
        if (_run is null) return (IntPtr)((long)_data + (long)tensor * heads * OwnLength * positionBytes);
        var data = _run.Outputs![1 + tensor].GetTensorMutableRawData();
        fixed (byte* p = data)
            return (IntPtr)(p + (long)Row * heads * Length * positionBytes);
    }

    /// <summary>Frees a row's own buffer (a run's rows go with the run; the base is not freed).</summary>
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
