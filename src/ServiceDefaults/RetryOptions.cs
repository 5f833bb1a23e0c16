namespace Pipeline.ServiceDefaults;

/// <summary>Bound from "Retry" (env: Retry__IntervalsMs__0=100, Retry__IntervalsMs__1=1000, ...).</summary>
public sealed class RetryOptions
{
    public const string Section = "Retry";

    /// <summary>In-process retries for transient faults (a dropped DB connection, a busy GPU): short, the
    /// message stays locked meanwhile.</summary>
    public int[] IntervalsMs { get; set; } = [200, 1000, 3000];

    /// <summary>Longer waits by redelivery (message returns to the queue). Needs a delayed-message
    /// scheduler: on RabbitMQ the rabbitmq_delayed_message_exchange plugin, which the Debian package lacks,
    /// so it is off by default; the Aggregator's recovery sweep re-requests a stalled round instead.</summary>
    public int[] RedeliverySeconds { get; set; } = [];
}
