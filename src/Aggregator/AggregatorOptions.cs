namespace Pipeline.Aggregator;

/// <summary>Bound from "Aggregator" (env: Aggregator__RoundTimeoutSeconds, Aggregator__RecoveryIntervalSeconds, ...).</summary>
public sealed class AggregatorOptions
{
    public const string Section = "Aggregator";

    /// <summary>A running search whose requested round has not come back after this long gets the round's
    /// ExpandRound again (a lost message, a crashed worker, a crash between commit and publish). Redoing a
    /// round is harmless (same seeds, duplicate rounds dropped), only wasteful: keep it well above the
    /// slowest round under load.</summary>
    public double RoundTimeoutSeconds { get; set; } = 600;

    /// <summary>How often the recovery sweep looks for stalled searches (it also runs once at start).</summary>
    public double RecoveryIntervalSeconds { get; set; } = 60;

    /// <summary>Most stalled searches re-requested per sweep, so a restart after a long outage does not flood the workers.</summary>
    public int RecoveryBatchSize { get; set; } = 1000;

    /// <summary>A round re-requested this many times by the sweep without coming back fails its search (a round
    /// that always lands in a worker's _error queue, e.g. for a model no worker serves). Counted per Aggregator
    /// process; 0 = never give up.</summary>
    public int MaxRoundRequests { get; set; } = 5;

    /// <summary>RoundScored messages handled at once. Each holds one DB connection and a lock on its search row.
    /// A round spends most of its time waiting on PostgreSQL round trips, so 16 (was 4) carries 1.4-1.6x the steps/s (medians)
    /// in scripts/load-test.sh (docs/messaging.md, "Load test").</summary>
    public int ConcurrencyLimit { get; set; } = 16;

    /// <summary>RabbitMQ prefetch for the Aggregator's queues; 0 = 2 x ConcurrencyLimit.</summary>
    public int PrefetchCount { get; set; }

    public int EffectivePrefetch => PrefetchCount > 0 ? Math.Max(PrefetchCount, ConcurrencyLimit) : ConcurrencyLimit * 2;
}
