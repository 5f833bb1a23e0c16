namespace Pipeline.Inference;

/// <summary>Runs a batch, and when the device runs out of memory on it, runs each half on its own (down to single
/// items) instead of failing every item in it. A PRM batch of best-of-256 faulted whole on an H200 (docs/gpu.md), and
/// the consumer's retries of the same batch only fail the same way. Results keep the input order. Any other error, and
/// out of memory on a single item, propagates.</summary>
public static class OutOfMemorySplit
{
    public static async Task<IReadOnlyList<TOut>> RunAsync<TIn, TOut>(IReadOnlyList<TIn> items,
        Func<IReadOnlyList<TIn>, Task<IReadOnlyList<TOut>>> run, Action<int, Exception>? onSplit = null)
    {
        try
        {
            return await run(items);
        }
        catch (Exception e) when (items.Count > 1 && IsOutOfMemory(e))
        {
            onSplit?.Invoke(items.Count, e);
            var half = items.Count / 2;
            var first = await RunAsync(items.Take(half).ToList(), run, onSplit);
            var second = await RunAsync(items.Skip(half).ToList(), run, onSplit);
            return [.. first, .. second];
        }
    }

    /// <summary>ONNX Runtime's and CUDA's ways of saying an allocation failed, anywhere in the exception chain.</summary>
    public static bool IsOutOfMemory(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            var m = x.Message;
            if (m.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
                || m.Contains("Failed to allocate memory", StringComparison.Ordinal)
                || (m.Contains("Available memory of", StringComparison.Ordinal) && m.Contains("smaller than requested bytes", StringComparison.Ordinal))
                || m.Contains("ALLOC_FAILED", StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
