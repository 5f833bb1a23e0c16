using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.Inference;

/// <summary>Reads rows of a float32 or float16 output (logits, PRM scores) as float32.</summary>
internal static class TensorRows
{
    /// <summary>Elements [offset, offset+count) as float32: a view for float32 tensors, converted into
    /// <paramref name="scratch"/> for float16 ones (fp16 models on CUDA).</summary>
    public static ReadOnlySpan<float> Row(OrtValue value, TensorElementType type, long offset, int count, float[] scratch)
    {
        switch (type)
        {
            case TensorElementType.Float:
                return value.GetTensorDataAsSpan<float>().Slice(checked((int)offset), count);
            case TensorElementType.Float16:
                var halves = MemoryMarshal.Cast<Float16, Half>(value.GetTensorDataAsSpan<Float16>().Slice(checked((int)offset), count));
                TensorPrimitives.ConvertToSingle(halves, scratch.AsSpan(0, count));   // vectorized: 151936 a row
                return scratch.AsSpan(0, count);
            default:
                throw new NotSupportedException($"model output of element type {type}: only float32 and float16 are supported");
        }
    }
}
