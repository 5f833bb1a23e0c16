namespace Pipeline.VerifierWorker;

/// <summary>Bound from "Verifier" (env: Verifier__BatchSize, Verifier__BatchTimeLimitMs, ...).</summary>
public sealed class VerifierOptions
{
    public const string Section = "Verifier";

    /// <summary>Most ScoreRound messages packed into one PRM batch.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>How long a partial batch waits for more messages before it runs anyway.</summary>
    public int BatchTimeLimitMs { get; set; } = 50;

    /// <summary>Batches run at once (one per GPU).</summary>
    public int ConcurrencyLimit { get; set; } = 1;

    /// <summary>RabbitMQ prefetch; 0 = BatchSize x ConcurrencyLimit x 2 (never below BatchSize x ConcurrencyLimit,
    /// or batches could only close on the timer).</summary>
    public int PrefetchCount { get; set; }

    public int EffectivePrefetch => PrefetchCount > 0
        ? Math.Max(PrefetchCount, BatchSize * ConcurrencyLimit)
        : BatchSize * ConcurrencyLimit * 2;
}
