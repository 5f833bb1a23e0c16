using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>One chunk's run of a shared-cache PRM: the head's scores (host) and the presents (device,
/// <see cref="Positions"/> = rows x positions). Reference-counted: the scoring call holds it until the next
/// level has copied its pasts out, and <see cref="PrmPrefixCache"/> holds it while any of its rows is an
/// entry, so the device memory goes back when the last holder lets go.</summary>
internal sealed class PrmRun : IDisposable
{
    private readonly IDisposable _owner;
    private int _holders = 1;

    /// <param name="mask">The run's attention mask, rows x <paramref name="total"/> (past + new positions).</param>
    public PrmRun(int[] nodes, int seq, int total, float[] scores, long[] mask, IReadOnlyList<OrtValue>? outputs, IDisposable owner)
    {
        (Nodes, Seq, Total, Scores, _mask, Outputs, _owner) = (nodes, seq, total, scores, mask, outputs, owner);
        Positions = (long)nodes.Length * total;
    }

    private readonly long[] _mask;

    public int[] Nodes { get; }
    public int Seq { get; }
    public int Total { get; }
    public float[] Scores { get; }
    /// <summary>Output 0 is the head; presents follow as key, value per layer.</summary>
    public IReadOnlyList<OrtValue>? Outputs { get; }
    public long Positions { get; }
    /// <summary>How many cache entries hold rows of this run (the cache's memory accounting).</summary>
    public int CacheEntries { get; set; }
    public bool Released => _holders == 0;

    public void Hold() => _holders++;

    /// <summary>Row <paramref name="u"/>'s cache: a past for the nodes that continue it.</summary>
    public PrmRow Row(int u) => new(this, u, Total, _mask.AsSpan(u * Total, Total).ToArray());

    public void Dispose()
    {
        if (_holders == 0) return;
        if (--_holders == 0) _owner.Dispose();
    }
}

/// <summary>Where a prefix's cache is: row <c>Row</c> of a run's presents, <c>Length</c> positions, with the
/// mask row that says which of them are real (a chunk's padding leaves holes). <see cref="Entry"/> is set
/// while the row is also an entry of <see cref="PrmPrefixCache"/>.</summary>
internal sealed class PrmRow(PrmRun run, int row, int length, long[] mask)
{
    public PrmRun Run { get; } = run;
    public int Row { get; } = row;
    public int Length { get; } = length;
    public long[] Mask { get; } = mask;
    public PrmPrefixCache.Entry? Entry { get; set; }

    public unsafe IntPtr Address(int tensor, int heads, long positionBytes)
    {
        var data = Run.Outputs![1 + tensor].GetTensorMutableRawData();
        fixed (byte* p = data)
            return (IntPtr)(p + Row * heads * Length * positionBytes);
    }
}
