namespace Pipeline.ServiceDefaults;

/// <summary>Broker connection, bound from the "RabbitMq" section (env: RabbitMq__Host, RabbitMq__Port, ...).</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5672;
    /// <summary>Two deployments (or test runs) share one broker safely in separate virtual hosts: queue AND
    /// exchange names (one exchange per message type) are then apart.</summary>
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>Publisher confirms cost ~2x throughput but a lost round would stall a search until the recovery sweep.</summary>
    public bool PublisherConfirmation { get; set; } = true;

    /// <summary>Host start waits until the bus is connected and its queues exist (fails start if the broker is
    /// away). Off by default: the bus then connects in the background and retries, which suits services that
    /// start before the broker; tests turn it on so their first message finds the queues.</summary>
    public bool WaitUntilStarted { get; set; }

    /// <summary>MassTransit (8.4 and later) reports anonymous usage to usage-tracking.masstransit.io a while after
    /// the bus starts. Off unless asked for: batch machines are often offline (the H200 runs logged a warning with a
    /// stack trace for each failed report) and a team should choose to send anything. MassTransit's own
    /// MASSTRANSIT_USAGE_TELEMETRY variable, where set, still decides.</summary>
    public bool UsageTelemetry { get; set; }
}
