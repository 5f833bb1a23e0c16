namespace Pipeline.ServiceDefaults;

/// <summary>Bound from "WorkerHeartbeat" (env: WorkerHeartbeat__IntervalSeconds): how often a worker publishes
/// <see cref="Pipeline.Contracts.WorkerHeartbeat"/>. 0 turns it off. Separate from <see cref="HeartbeatOptions"/>,
/// the log line, which tests turn off while they still need workers to announce themselves.</summary>
public sealed class WorkerHeartbeatOptions
{
    public const string Section = "WorkerHeartbeat";

    public double IntervalSeconds { get; set; } = 15;
}
