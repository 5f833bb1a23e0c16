using System.Collections.Concurrent;

namespace Pipeline.Inference;

/// <summary>
/// One long-lived thread that runs a CUDA model's work in the order it was submitted. ONNX Runtime's CUDA provider
/// keeps its captured CUDA graphs, their warm-up counts and its cuBLAS handles per OS thread (its PerThreadContext).
/// Work started with <c>Task.Run</c> lands on whichever thread-pool thread is free, so every new thread warmed up and
/// captured each decode graph again: more captures than <see cref="CudaCaptureGate"/> was told about, each holding
/// graph memory, and in a process with two models the uncounted ones ran while the other model copied and synchronized
/// (the sixth and seventh GPU sessions' "operation not permitted when stream is capturing" retries). One thread per
/// model makes a capture happen once per graph.
/// </summary>
public sealed class DeviceThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public DeviceThread(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>The managed id of the thread that runs the work (what tests and logs can check).</summary>
    public int ManagedThreadId => _thread.ManagedThreadId;

    /// <summary>Runs <paramref name="work"/> on the thread after everything submitted before it; as <c>Task.Run</c>, a
    /// token cancelled before the work starts, or an <see cref="OperationCanceledException"/> for that token, gives a
    /// cancelled task. Called from the thread itself (work that submits work), it runs at once instead of deadlocking.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Thread.CurrentThread == _thread)
        {
            Complete(done, work, cancellationToken);
            return done.Task;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            done.SetCanceled(cancellationToken);
            return done.Task;
        }
        try
        {
            _work.Add(() => Complete(done, work, cancellationToken));
        }
        catch (InvalidOperationException)   // CompleteAdding was called: the model is being disposed
        {
            throw new ObjectDisposedException(_thread.Name, "the model's device thread has stopped");
        }
        return done.Task;
    }

    private static void Complete<T>(TaskCompletionSource<T> done, Func<T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            done.TrySetCanceled(cancellationToken);
            return;
        }
        try
        {
            done.TrySetResult(work());
        }
        catch (OperationCanceledException e) when (e.CancellationToken == cancellationToken && cancellationToken.IsCancellationRequested)
        {
            done.TrySetCanceled(cancellationToken);
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }

    private void Loop()
    {
        foreach (var work in _work.GetConsumingEnumerable()) work();
    }

    /// <summary>Runs what is queued, then stops the thread.</summary>
    public void Dispose()
    {
        if (_work.IsAddingCompleted) return;
        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join();
    }
}
