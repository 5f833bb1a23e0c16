namespace Pipeline.Producer;

/// <summary>CLI knobs, bound from "Producer" (env: Producer__BrokerConnectTimeoutSeconds, Producer__BusStartTimeoutSeconds, Producer__PublishWindow).</summary>
public sealed class ProducerOptions
{
    public const string Section = "Producer";

    /// <summary>How long a publishing command waits for the broker's port to answer (a closed port fails at once).</summary>
    public double BrokerConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>How long a publishing command then waits for the bus to connect (login, virtual host) before giving up.</summary>
    public double BusStartTimeoutSeconds { get; set; } = 30;

    /// <summary>Publishes in flight at once: enough to hide the confirm round trip, few enough to keep memory flat.</summary>
    public int PublishWindow { get; set; } = 256;
}
