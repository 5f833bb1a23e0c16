namespace Pipeline.ServiceDefaults;

/// <summary>Bound from "WorkerHeartbeat" (env: WorkerHeartbeat__IntervalSeconds): how often a worker publishes
/// <see cref="Pipeline.Contracts.WorkerHeartbeat"/>. 0 turns it off. Separate from <see cref="HeartbeatOptions"/>,
/// the log line, which tests turn off while they still need workers to announce themselves. The heartbeat also
/// reports the batch in flight, which keeps the Aggregator's recovery sweep from taking a long batch for lost rounds:
/// keep the interval well below Aggregator__AcceptTimeoutSeconds.</summary>
public sealed class WorkerHeartbeatOptions
{
    public const string Section = "WorkerHeartbeat";

    public double IntervalSeconds { get; set; } = 15;
}
