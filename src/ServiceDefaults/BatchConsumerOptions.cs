namespace Pipeline.ServiceDefaults;

/// <summary>How a GPU worker packs messages into engine batches; each worker binds its own section
/// (env: <c>Proposal__BatchSize</c>, <c>Verifier__BatchTimeLimitMs</c>, ...).</summary>
public abstract class BatchConsumerOptions
{
    /// <summary>Most messages packed into one engine batch.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>How long a partial batch waits for more messages before it runs anyway.</summary>
    public int BatchTimeLimitMs { get; set; } = 50;

    /// <summary>Batches run at once. One per GPU: a second batch would only contend for the same device.</summary>
    public int ConcurrencyLimit { get; set; } = 1;

    /// <summary>RabbitMQ prefetch; 0 = BatchSize x ConcurrencyLimit x 2, so the next batch is already local
    /// while one runs (below BatchSize x ConcurrencyLimit batches could only ever close on the timer).</summary>
    public int PrefetchCount { get; set; }

    public int EffectivePrefetch => PrefetchCount > 0
        ? Math.Max(PrefetchCount, BatchSize * ConcurrencyLimit)
        : BatchSize * ConcurrencyLimit * 2;
}
