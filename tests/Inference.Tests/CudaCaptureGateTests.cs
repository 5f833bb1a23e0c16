using Pipeline.Inference;

namespace Pipeline.Inference.Tests;

/// <summary>The process-wide gate that keeps other models' CUDA work out of a graph capture (CudaCaptureGate):
/// shared holders run together, an exclusive holder runs alone, and a waiting capture is not starved.</summary>
public sealed class CudaCaptureGateTests
{
    [Fact]
    public async Task Shared_holders_overlap_and_an_exclusive_holder_waits_for_them_and_keeps_new_ones_out()
    {
        var first = CudaCaptureGate.Shared();
        // a second shared holder on another thread gets in while the first holds
        Assert.True(await Task.Run(() => { using (CudaCaptureGate.Shared()) return true; }).WaitAsync(TimeSpan.FromSeconds(5)));

        var captureIn = new TaskCompletionSource();
        var releaseCapture = new TaskCompletionSource();
        var capture = Task.Run(() =>
        {
            using (CudaCaptureGate.Exclusive())
            {
                captureIn.SetResult();
                releaseCapture.Task.Wait();
            }
        });
        await Task.Delay(200);
        Assert.False(captureIn.Task.IsCompleted, "the capture must wait for the shared holder");

        // a scoring that arrives while the capture waits queues behind it (writers first)
        var lateShared = Task.Run(() => { using (CudaCaptureGate.Shared()) return DateTime.UtcNow; });
        await Task.Delay(200);
        Assert.False(lateShared.IsCompleted, "new shared work must not overtake a waiting capture");

        first.Dispose();
        await captureIn.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        Assert.False(lateShared.IsCompleted, "shared work must not run during the capture");
        var released = DateTime.UtcNow;
        releaseCapture.SetResult();
        await capture.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(await lateShared.WaitAsync(TimeSpan.FromSeconds(5)) >= released);
    }

    [Fact]
    public void A_scope_disposed_twice_releases_once()
    {
        var s = CudaCaptureGate.Shared();
        s.Dispose();
        s.Dispose();
        using (CudaCaptureGate.Exclusive()) { }   // would deadlock or throw if the read lock were still held or over-released
    }
}
