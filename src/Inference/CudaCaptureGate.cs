namespace Pipeline.Inference;

/// <summary>
/// ONNX Runtime captures a CUDA graph with <c>cudaStreamCaptureModeGlobal</c> (its cuda_graph.cc): while one
/// session captures, a CUDA call from any other thread of the process (another model's run, an upload, an arena
/// growing) either fails or spoils the capture. One model per process never meets this; a process that runs two
/// models at once does (the combined worker: the policy's decode steps are captured per batch size, the first time
/// each size runs, while the PRM scores on another thread). So a decode step that may capture takes this gate
/// exclusively, and the PRM's scoring on CUDA takes it shared: scorings run side by side with replays and with each
/// other, never during a capture. Captures happen a handful of times per batch size and thread (ONNX Runtime captures
/// per thread: <see cref="CaptureRunCounter"/>; a CUDA model's calls run on its one <see cref="DeviceThread"/>), so the
/// wait is rare.
/// </summary>
public static class CudaCaptureGate
{
    // A monitor rather than ReaderWriterLockSlim: that one lets new readers in while a writer waits, so back-to-back
    // scorings could hold a capture off; here a waiting capture closes the gate to new shared work. Not reentrant:
    // the holders (a decode step, a PRM scoring) never nest.
    private static readonly object Sync = new();   // Monitor.Wait needs a monitor, not a System.Threading.Lock
    private static int _shared;
    private static bool _exclusive;
    private static int _waitingExclusive;

    /// <summary>Around CUDA work that never captures.</summary>
    public static IDisposable Shared()
    {
        lock (Sync)
        {
            while (_exclusive || _waitingExclusive > 0) Monitor.Wait(Sync);
            _shared++;
        }
        return new Scope(exclusive: false);
    }

    /// <summary>Around a run that may capture a graph: waits for shared work to end and keeps new work out.</summary>
    public static IDisposable Exclusive()
    {
        lock (Sync)
        {
            _waitingExclusive++;
            while (_exclusive || _shared > 0) Monitor.Wait(Sync);
            _waitingExclusive--;
            _exclusive = true;
        }
        return new Scope(exclusive: true);
    }

    private static void Release(bool exclusive)
    {
        lock (Sync)
        {
            if (exclusive) _exclusive = false;
            else _shared--;
            Monitor.PulseAll(Sync);
        }
    }

    private sealed class Scope(bool exclusive) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) Release(exclusive);
        }
    }
}
