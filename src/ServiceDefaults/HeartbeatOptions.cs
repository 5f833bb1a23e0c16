namespace Pipeline.ServiceDefaults;

/// <summary>Bound from "Heartbeat" (env: Heartbeat__IntervalSeconds). 0 turns the heartbeat log off.</summary>
public sealed class HeartbeatOptions
{
    public const string Section = "Heartbeat";

    public double IntervalSeconds { get; set; } = 30;
}
