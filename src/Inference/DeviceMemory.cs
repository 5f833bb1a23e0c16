using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>Raw buffers where the execution provider computes: GPU memory on CUDA (through
/// <see cref="CudaRuntime"/>), native host memory on CPU. Buffers are zeroed and never move, so ONNX
/// Runtime tensors wrapped around them keep their address from call to call (CUDA graphs need that).</summary>
internal abstract class DeviceMemory
{
    /// <summary>What ONNX Runtime is told about a tensor wrapped around one of these buffers.</summary>
    public abstract OrtMemoryInfo Info { get; }
    public abstract IntPtr Allocate(long bytes);
    public abstract void Free(IntPtr buffer);
    public abstract void Upload<T>(ReadOnlySpan<T> source, IntPtr destination) where T : unmanaged;
    public abstract void Download<T>(IntPtr source, Span<T> destination) where T : unmanaged;
    public abstract void CopyWithin(IntPtr source, IntPtr destination, long bytes);
    /// <summary><paramref name="rows"/> pieces of <paramref name="width"/> bytes, one every
    /// <paramref name="sourcePitch"/> bytes of the source to one every <paramref name="destinationPitch"/>
    /// bytes of the destination. Not synchronized: call <see cref="Synchronize"/> before ONNX Runtime
    /// reads the destination.</summary>
    public abstract void CopyStrided(IntPtr source, long sourcePitch, IntPtr destination, long destinationPitch, long width, long rows);
    /// <summary>Zeroes a buffer (not synchronized).</summary>
    public abstract void Zero(IntPtr buffer, long bytes);
    /// <summary>Waits for every copy and kernel of this model issued so far: its own stream's, or the whole device's
    /// when it runs on ONNX Runtime's stream.</summary>
    public abstract void Synchronize();

    public static DeviceMemory For(LanguageModel model)
    {
        if (model.ExecutionProvider != "CUDA") return new Host();
        var stream = SessionFactory.StreamOf(model.Options);
        return stream == IntPtr.Zero ? new Cuda(model.Options.CudaDeviceId) : new CudaStream(model.Options.CudaDeviceId, stream);
    }

    private sealed class Host : DeviceMemory
    {
        public override OrtMemoryInfo Info => OrtMemoryInfo.DefaultInstance;

        public override unsafe IntPtr Allocate(long bytes)
        {
            var p = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 64);
            NativeMemory.Clear(p, (nuint)bytes);
            return (IntPtr)p;
        }

        public override unsafe void Free(IntPtr buffer) => NativeMemory.AlignedFree((void*)buffer);

        public override unsafe void Upload<T>(ReadOnlySpan<T> source, IntPtr destination) =>
            source.CopyTo(new Span<T>((void*)destination, source.Length));

        public override unsafe void Download<T>(IntPtr source, Span<T> destination) =>
            new ReadOnlySpan<T>((void*)source, destination.Length).CopyTo(destination);

        public override unsafe void CopyWithin(IntPtr source, IntPtr destination, long bytes) =>
            Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);

        public override unsafe void CopyStrided(IntPtr source, long sourcePitch, IntPtr destination, long destinationPitch, long width, long rows)
        {
            for (long r = 0; r < rows; r++)
                Buffer.MemoryCopy((byte*)source + r * sourcePitch, (byte*)destination + r * destinationPitch, width, width);
        }

        public override unsafe void Zero(IntPtr buffer, long bytes) => NativeMemory.Clear((void*)buffer, (nuint)bytes);

        public override void Synchronize() { }
    }

    private abstract class CudaDevice : DeviceMemory
    {
        private readonly OrtMemoryInfo _info;

        protected CudaDevice(int device)
        {
            CudaRuntime.SetDevice(device);
            _info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, device, OrtMemType.Default);
        }

        public override OrtMemoryInfo Info => _info;
        public override void Free(IntPtr buffer) => CudaRuntime.Free(buffer);
    }

    // The model's session runs on ONNX Runtime's own stream, which this code cannot name: wait for the whole device.
    private sealed class Cuda(int device) : CudaDevice(device)
    {
        public override IntPtr Allocate(long bytes) => CudaRuntime.Malloc(Math.Max(bytes, 1));

        // ONNX Runtime runs its kernels on a stream of its own that does not wait for the legacy
        // stream these copies use, and an upload from pageable memory may return before it lands:
        // synchronize before the next Run reads it.
        public override unsafe void Upload<T>(ReadOnlySpan<T> source, IntPtr destination)
        {
            fixed (T* p = source)
                CudaRuntime.Copy(destination, (IntPtr)p, (long)source.Length * sizeof(T), CudaRuntime.CopyKind.HostToDevice);
            CudaRuntime.Synchronize();
        }

        public override unsafe void Download<T>(IntPtr source, Span<T> destination)
        {
            CudaRuntime.Synchronize();   // the kernels that wrote it ran on ONNX Runtime's stream
            fixed (T* p = destination)
                CudaRuntime.Copy((IntPtr)p, source, (long)destination.Length * sizeof(T), CudaRuntime.CopyKind.DeviceToHost);
        }

        public override void CopyWithin(IntPtr source, IntPtr destination, long bytes)
        {
            CudaRuntime.Copy(destination, source, bytes, CudaRuntime.CopyKind.DeviceToDevice);
            CudaRuntime.Synchronize();
        }

        public override void CopyStrided(IntPtr source, long sourcePitch, IntPtr destination, long destinationPitch, long width, long rows) =>
            CudaRuntime.Copy2D(destination, destinationPitch, source, sourcePitch, width, rows);

        public override void Zero(IntPtr buffer, long bytes) => CudaRuntime.Zero(buffer, bytes);

        public override void Synchronize() => CudaRuntime.Synchronize();
    }

    // The model's sessions run on a stream of its own (InferenceOptions.CudaStreamPerModel): copies queue on it,
    // behind the model's kernels and in front of its next run, and every wait is for that stream alone, so
    // another model's work on the same GPU goes on meanwhile.
    private sealed class CudaStream(int device, IntPtr stream) : CudaDevice(device)
    {
        public override IntPtr Allocate(long bytes) => CudaRuntime.Malloc(Math.Max(bytes, 1), stream);

        public override unsafe void Upload<T>(ReadOnlySpan<T> source, IntPtr destination)
        {
            fixed (T* p = source)
                CudaRuntime.CopyAsync(destination, (IntPtr)p, (long)source.Length * sizeof(T), CudaRuntime.CopyKind.HostToDevice, stream);
            CudaRuntime.Synchronize(stream);   // the source may be reused as soon as this returns
        }

        public override unsafe void Download<T>(IntPtr source, Span<T> destination)
        {
            fixed (T* p = destination)
                CudaRuntime.CopyAsync((IntPtr)p, source, (long)destination.Length * sizeof(T), CudaRuntime.CopyKind.DeviceToHost, stream);
            CudaRuntime.Synchronize(stream);
        }

        public override void CopyWithin(IntPtr source, IntPtr destination, long bytes)
        {
            CudaRuntime.CopyAsync(destination, source, bytes, CudaRuntime.CopyKind.DeviceToDevice, stream);
            CudaRuntime.Synchronize(stream);
        }

        public override void CopyStrided(IntPtr source, long sourcePitch, IntPtr destination, long destinationPitch, long width, long rows) =>
            CudaRuntime.Copy2DAsync(destination, destinationPitch, source, sourcePitch, width, rows, stream);

        public override void Zero(IntPtr buffer, long bytes) => CudaRuntime.ZeroAsync(buffer, bytes, stream);

        public override void Synchronize() => CudaRuntime.Synchronize(stream);
    }
}
