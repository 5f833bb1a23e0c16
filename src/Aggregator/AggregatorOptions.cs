namespace Pipeline.Aggregator;

/// <summary>Bound from "Aggregator" (env: Aggregator__RoundTimeoutSeconds, Aggregator__RecoveryIntervalSeconds, ...).</summary>
public sealed class AggregatorOptions
{
    public const string Section = "Aggregator";

    /// <summary>A round that no worker accepted (RoundAccepted) this long after its request is taken for lost, and
    /// requested again, when something shows it is not just waiting its turn: a round requested after it was
    /// accepted this long ago, or no worker accepted any round for this long while no alive proposal worker reports
    /// a batch in flight (its heartbeat: a batch longer than this is slow, not lost). Keep it above a worker's batch
    /// time limit, and well above WorkerHeartbeat__IntervalSeconds (the stored in-flight state is up to one interval old).</summary>
    public double AcceptTimeoutSeconds { get; set; } = 60;

    /// <summary>A round accepted by a worker (or never accepted while no worker ever accepted anything) and not back
    /// after this long is requested again: a worker died mid-batch, or a ScoreRound or RoundScored was lost.
    /// Redoing a round is harmless (same seeds, duplicate rounds dropped), only wasteful: keep it well above the
    /// slowest round under load.</summary>
    public double RoundTimeoutSeconds { get; set; } = 600;

    /// <summary>A round a worker gave up on (its message went to an _error queue and the worker published a
    /// Fault) fails its search this long after the first fault, with the worker's reason, unless the message is
    /// re-queued (<c>pipeline errors requeue</c>) and accepted before then.</summary>
    public double ErrorGraceSeconds { get; set; } = 300;

    /// <summary>How often the recovery sweep looks for lost and faulted rounds (it also runs once at start).</summary>
    public double RecoveryIntervalSeconds { get; set; } = 10;

    /// <summary>Most searches re-requested per sweep, so a restart after a long outage does not flood the workers.</summary>
    public int RecoveryBatchSize { get; set; } = 1000;

    /// <summary>A round re-requested this many times without coming back fails its search. Counted in
    /// <c>searches.round_requests</c>, so an Aggregator restart keeps the count; 0 = never give up.</summary>
    public int MaxRoundRequests { get; set; } = 5;

    /// <summary>RoundScored messages handled at once. Each holds one DB connection and a lock on its search row.
    /// A round spends most of its time waiting on PostgreSQL round trips, so 16 (was 4) carries 1.4-1.6x the steps/s (medians)
    /// in scripts/load-test.sh (docs/messaging.md, "Load test").</summary>
    public int ConcurrencyLimit { get; set; } = 16;

    /// <summary>RabbitMQ prefetch for the Aggregator's queues; 0 = 2 x ConcurrencyLimit.</summary>
    public int PrefetchCount { get; set; }

    public int EffectivePrefetch => PrefetchCount > 0 ? Math.Max(PrefetchCount, ConcurrencyLimit) : ConcurrencyLimit * 2;
}
