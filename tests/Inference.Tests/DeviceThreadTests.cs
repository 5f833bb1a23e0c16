using Pipeline.Inference;

namespace Pipeline.Inference.Tests;

/// <summary>A CUDA model's calls run on one thread of its own (DeviceThread), because ONNX Runtime keeps captured graphs
/// per thread; and a graph's capture runs are counted per thread (CaptureRunCounter), so a capture on a thread the
/// step has not run on yet still takes the capture gate.</summary>
public sealed class DeviceThreadTests
{
    [Fact]
    public async Task Work_runs_in_submission_order_on_one_thread_that_is_not_the_callers()
    {
        using var device = new DeviceThread("test device");
        var order = new List<int>();
        var gate = new ManualResetEventSlim();
        // the first call blocks the thread, so the next ones queue behind it and must keep their order
        var first = device.RunAsync(() => { gate.Wait(); order.Add(0); return Environment.CurrentManagedThreadId; });
        var rest = Enumerable.Range(1, 20)
            .Select(i => Task.Run(async () => { await Task.Delay(i); return i; }))
            .ToList();
        var submitted = new List<Task<int>>();
        foreach (var t in rest)
        {
            var i = await t;
            submitted.Add(device.RunAsync(() => { order.Add(i); return Environment.CurrentManagedThreadId; }));
        }
        gate.Set();
        var threads = await Task.WhenAll(submitted.Prepend(first)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(threads, t => Assert.Equal(device.ManagedThreadId, t));
        Assert.NotEqual(Environment.CurrentManagedThreadId, device.ManagedThreadId);
        Assert.Equal(Enumerable.Range(0, 21), order);
    }

    [Fact]
    public async Task A_failure_reaches_its_caller_and_the_thread_goes_on()
    {
        using var device = new DeviceThread("test device");
        var failed = device.RunAsync<int>(() => throw new InvalidOperationException("out of memory"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
        Assert.Equal("out of memory", e.Message);
        Assert.Equal(7, await device.RunAsync(() => 7).WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Cancellation_behaves_as_Task_Run()
    {
        using var device = new DeviceThread("test device");
        var ran = false;
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var before = device.RunAsync(() => ran = true, cancelled.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => before);
        Assert.True(before.IsCanceled);

        using var during = new CancellationTokenSource();
        var inside = device.RunAsync<int>(() => { during.Cancel(); during.Token.ThrowIfCancellationRequested(); return 1; }, during.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inside);
        Assert.True(inside.IsCanceled);

        // an OperationCanceledException for another token is a failure, not a cancellation
        using var other = new CancellationTokenSource();
        other.Cancel();
        var foreign = device.RunAsync<int>(() => { other.Token.ThrowIfCancellationRequested(); return 1; });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => foreign);
        Assert.True(foreign.IsFaulted);
        Assert.False(ran);
    }

    [Fact]
    public async Task Work_that_waits_for_work_of_its_own_thread_runs_it_inline_instead_of_deadlocking()
    {
        using var device = new DeviceThread("test device");
        var outer = device.RunAsync(() => device.RunAsync(() => Environment.CurrentManagedThreadId).Result);
        Assert.Equal(device.ManagedThreadId, await outer.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Dispose_runs_what_is_queued_then_refuses_new_work()
    {
        var device = new DeviceThread("test device");
        var gate = new ManualResetEventSlim();
        var blocked = device.RunAsync(() => { gate.Wait(); return 1; });
        var queued = device.RunAsync(() => 2);
        var disposing = Task.Run(device.Dispose);
        await Task.Delay(100);
        Assert.False(disposing.IsCompleted, "Dispose waits for the queued work");
        gate.Set();
        await disposing.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await blocked);
        Assert.Equal(2, await queued);
        Assert.Throws<ObjectDisposedException>(() => { _ = device.RunAsync(() => 3); });   // at once, not in the task
        device.Dispose();   // twice is harmless
    }

    [Fact]
    public void Capture_runs_are_counted_per_thread()
    {
        var runs = new CaptureRunCounter(captureRuns: 4);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(runs.MayCapture(thread: 11), $"run {i} on thread 11 may still capture");
            runs.Ran(thread: 11);
        }
        Assert.False(runs.MayCapture(thread: 11));
        // ONNX Runtime warms up and captures again on a thread the step has not run on
        Assert.True(runs.MayCapture(thread: 12));
        runs.Ran(thread: 12);
        Assert.True(runs.MayCapture(thread: 12));
        Assert.False(runs.MayCapture(thread: 11));
    }
}
