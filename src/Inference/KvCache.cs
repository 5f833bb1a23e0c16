using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.Inference;

/// <summary>The key/value cache of a batch: per layer one key and one value tensor
/// [batch, kv_heads, length, head_size]. Either ONNX Runtime's own present outputs (fed back
/// unchanged as the next past inputs) or tensors built here when rows are replicated or dropped.</summary>
internal sealed class KvCache : IDisposable
{
    private KvCache(OrtValue[] keys, OrtValue[] values, int batch, int length, int heads, int headSize, TensorElementType type, bool onHost)
    {
        ElementType = type;
        OnHost = onHost;
        Keys = keys;
        Values = values;
        Batch = batch;
        Length = length;
        Heads = heads;
        HeadSize = headSize;
    }

    public OrtValue[] Keys { get; }
    public OrtValue[] Values { get; }
    public int Batch { get; }
    public int Length { get; }
    public int Heads { get; }
    public int HeadSize { get; }
    public int Layers => Keys.Length;
    public TensorElementType ElementType { get; }
    /// <summary>In host memory, so rows can be copied here; false for a cache left on the GPU.</summary>
    public bool OnHost { get; }
    private int ElementBytes => ElementType == TensorElementType.Float ? 4 : 2;

    public static KvCache Wrap(OrtValue[] keys, OrtValue[] values, int batch, int length, int heads, int headSize, TensorElementType type, bool onHost) =>
        new(keys, values, batch, length, heads, headSize, type, onHost);

    /// <summary>A zero-filled cache (zeros, not garbage, under padding: a masked NaN would still poison
    /// attention through 0 * NaN).</summary>
    public static KvCache Zeros(int layers, int batch, int length, int heads, int headSize, TensorElementType type)
    {
        var keys = new OrtValue[layers];
        var values = new OrtValue[layers];
        long[] shape = [batch, heads, length, headSize];
        for (var l = 0; l < layers; l++)
        {
            keys[l] = Allocate(shape, type);
            values[l] = Allocate(shape, type);
        }
        return new KvCache(keys, values, batch, length, heads, headSize, type, onHost: true);
    }

    /// <summary>Copies positions [srcStart, srcStart+count) of one row into [dstStart, dstStart+count) of a row of another cache.</summary>
    public static void CopyRow(KvCache src, int srcRow, int srcStart, KvCache dst, int dstRow, int dstStart, int count)
    {
        if (count == 0) return;
        if (!src.OnHost || !dst.OnHost) throw new InvalidOperationException("KV cache rows can only be copied in host memory");
        var d = src.HeadSize * src.ElementBytes;   // bytes per position per head
        for (var l = 0; l < src.Layers; l++)
        {
            CopyRow(src.Keys[l], dst.Keys[l]);
            CopyRow(src.Values[l], dst.Values[l]);
        }

        void CopyRow(OrtValue from, OrtValue to)
        {
            var s = from.GetTensorMutableRawData();
            var t = to.GetTensorMutableRawData();
            for (var h = 0; h < src.Heads; h++)
            {
                var so = (((long)srcRow * src.Heads + h) * src.Length + srcStart) * d;
                var to2 = (((long)dstRow * dst.Heads + h) * dst.Length + dstStart) * d;
                s.Slice((int)so, count * d).CopyTo(t.Slice((int)to2, count * d));
            }
        }
    }

    private static OrtValue Allocate(long[] shape, TensorElementType type)
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        if (shape.All(x => x > 0)) value.GetTensorMutableRawData().Clear();
        return value;
    }

    public void Dispose()
    {
        foreach (var v in Keys) v.Dispose();
        foreach (var v in Values) v.Dispose();
    }
}
