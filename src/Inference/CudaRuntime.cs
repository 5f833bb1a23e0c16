using System.Runtime.InteropServices;

namespace Pipeline.Inference;

/// <summary>The few CUDA runtime calls the shared-cache decoder needs to own its buffers: ONNX Runtime's
/// C# API can wrap device memory in a tensor but cannot allocate, fill or copy it. libcudart.so.13 is
/// the runtime ONNX Runtime's CUDA provider itself loads, so it is present wherever CUDA runs.</summary>
internal static class CudaRuntime
{
    private const string Lib = "libcudart.so.13";

    public enum CopyKind { HostToDevice = 1, DeviceToHost = 2, DeviceToDevice = 3 }

    [DllImport(Lib)] private static extern int cudaSetDevice(int device);
    [DllImport(Lib)] private static extern int cudaMalloc(out IntPtr ptr, nuint bytes);
    [DllImport(Lib)] private static extern int cudaFree(IntPtr ptr);
    [DllImport(Lib)] private static extern int cudaMemset(IntPtr ptr, int value, nuint bytes);
    [DllImport(Lib)] private static extern int cudaMemcpy(IntPtr dst, IntPtr src, nuint bytes, CopyKind kind);
    [DllImport(Lib)] private static extern int cudaMemcpy2D(IntPtr dst, nuint dpitch, IntPtr src, nuint spitch, nuint width, nuint height, CopyKind kind);
    [DllImport(Lib)] private static extern int cudaMemcpyAsync(IntPtr dst, IntPtr src, nuint bytes, CopyKind kind, IntPtr stream);
    [DllImport(Lib)] private static extern int cudaMemcpy2DAsync(IntPtr dst, nuint dpitch, IntPtr src, nuint spitch, nuint width, nuint height, CopyKind kind, IntPtr stream);
    [DllImport(Lib)] private static extern int cudaMemsetAsync(IntPtr ptr, int value, nuint bytes, IntPtr stream);
    [DllImport(Lib)] private static extern int cudaStreamSynchronize(IntPtr stream);
    [DllImport(Lib)] private static extern int cudaDeviceSynchronize();
    [DllImport(Lib)] private static extern int cudaMemGetInfo(out nuint free, out nuint total);
    [DllImport(Lib)] private static extern IntPtr cudaGetErrorString(int error);
    [DllImport(Lib)] private static extern int cudaStreamCreateWithPriority(out IntPtr stream, uint flags, int priority);
    [DllImport(Lib)] private static extern int cudaDeviceGetStreamPriorityRange(out int least, out int greatest);

    private const uint StreamNonBlocking = 1;   // like ONNX Runtime's own streams: no implicit sync with stream 0

    /// <summary>A non-blocking stream of <paramref name="priority"/>, clamped to the device's range; never destroyed
    /// (it serves sessions that live as long as the process).</summary>
    public static IntPtr CreateStream(int device, int priority)
    {
        SetDevice(device);
        Check(cudaDeviceGetStreamPriorityRange(out var least, out var greatest), "cudaDeviceGetStreamPriorityRange");
        Check(cudaStreamCreateWithPriority(out var stream, StreamNonBlocking, Math.Clamp(priority, greatest, least)),
            $"cudaStreamCreateWithPriority({priority})");
        return stream;
    }

    public static void SetDevice(int device) => Check(cudaSetDevice(device), "cudaSetDevice");

    /// <summary>Zeroed device memory; the zeroing is queued on <paramref name="stream"/> (0: the legacy stream).</summary>
    public static IntPtr Malloc(long bytes, IntPtr stream = default)
    {
        Check(cudaMalloc(out var p, (nuint)bytes), $"cudaMalloc({bytes} bytes)");
        Check(stream == IntPtr.Zero ? cudaMemset(p, 0, (nuint)bytes) : cudaMemsetAsync(p, 0, (nuint)bytes, stream), "cudaMemset");
        return p;
    }

    public static void Free(IntPtr p) => cudaFree(p);

    public static void Copy(IntPtr dst, IntPtr src, long bytes, CopyKind kind) =>
        Check(cudaMemcpy(dst, src, (nuint)bytes, kind), $"cudaMemcpy {kind} ({bytes} bytes)");

    /// <summary>Rows of <paramref name="width"/> bytes, <paramref name="height"/> of them, each at its
    /// pitch; device to device it does not block the host (callers synchronize once after many).</summary>
    public static void Zero(IntPtr p, long bytes) => Check(cudaMemset(p, 0, (nuint)bytes), "cudaMemset");

    public static void Copy2D(IntPtr dst, long dstPitch, IntPtr src, long srcPitch, long width, long height) =>
        Check(cudaMemcpy2D(dst, (nuint)dstPitch, src, (nuint)srcPitch, (nuint)width, (nuint)height, CopyKind.DeviceToDevice),
            $"cudaMemcpy2D ({height} x {width} bytes)");

    // The same on a stream: queued behind that stream's kernels and nobody else's. A copy from or to pageable host
    // memory still returns only once the host side is read or written; a device-to-device one returns at once.
    public static void CopyAsync(IntPtr dst, IntPtr src, long bytes, CopyKind kind, IntPtr stream) =>
        Check(cudaMemcpyAsync(dst, src, (nuint)bytes, kind, stream), $"cudaMemcpyAsync {kind} ({bytes} bytes)");

    public static void Copy2DAsync(IntPtr dst, long dstPitch, IntPtr src, long srcPitch, long width, long height, IntPtr stream) =>
        Check(cudaMemcpy2DAsync(dst, (nuint)dstPitch, src, (nuint)srcPitch, (nuint)width, (nuint)height, CopyKind.DeviceToDevice, stream),
            $"cudaMemcpy2DAsync ({height} x {width} bytes)");

    public static void ZeroAsync(IntPtr p, long bytes, IntPtr stream) => Check(cudaMemsetAsync(p, 0, (nuint)bytes, stream), "cudaMemsetAsync");

    /// <summary>Waits for the work queued on one stream only.</summary>
    public static void Synchronize(IntPtr stream) => Check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");

    /// <summary>Free and total bytes of the current device.</summary>
    public static (long Free, long Total) MemoryInfo()
    {
        Check(cudaMemGetInfo(out var free, out var total), "cudaMemGetInfo");
        return ((long)free, (long)total);
    }

    public static void Synchronize() => Check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");

    private static void Check(int status, string what)
    {
        if (status != 0)
            throw new CudaRuntimeException($"{what} failed: CUDA error {status} ({Marshal.PtrToStringAnsi(cudaGetErrorString(status))})");
    }
}

/// <summary>A CUDA runtime call failed (no device, out of memory, ...).</summary>
internal sealed class CudaRuntimeException(string message) : InvalidOperationException(message);
