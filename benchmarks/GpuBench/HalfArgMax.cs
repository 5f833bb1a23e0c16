using Microsoft.ML.OnnxRuntime;

namespace Pipeline.GpuBench;

/// <summary>Row argmax over logits on the host, float16 or float32.</summary>
public static class HalfArgMax
{
    /// <summary>fp16 bit patterns map to an order-preserving ushort key (flip all bits of negatives,
    /// the sign bit of positives), so no row needs converting to float: 151936 logits a row.</summary>
    public static int ArgMax(ReadOnlySpan<ushort> row)
    {
        int best = 0;
        ushort bestKey = 0;
        for (int i = 0; i < row.Length; i++)
        {
            ushort b = row[i];
            ushort key = (b & 0x8000) != 0 ? (ushort)~b : (ushort)(b | 0x8000);
            if (key > bestKey) { bestKey = key; best = i; }
        }
        return best;
    }

    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    /// <summary>Argmax of the last position of every row of logits [batch, seq, vocab], read in place
    /// (no copy of a 78 MB fp16 tensor at batch 256), rows in parallel.</summary>
    public static unsafe int[] Rows(OrtValue logits)
    {
        var info = logits.GetTensorTypeAndShape();
        var shape = info.Shape;
        int batch = (int)shape[0], seq = (int)shape[1], vocab = (int)shape[2];
        var result = new int[batch];
        bool half = info.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16;
        fixed (byte* p = logits.GetTensorMutableRawData())
        {
            nint basePtr = (nint)p;
            Parallel.For(0, batch, b =>
            {
                long offset = ((long)b * seq + seq - 1) * vocab;
                result[b] = half
                    ? ArgMax(new ReadOnlySpan<ushort>((ushort*)basePtr + offset, vocab))
                    : ArgMax(new ReadOnlySpan<float>((float*)basePtr + offset, vocab));
            });
        }
        return result;
    }
}
