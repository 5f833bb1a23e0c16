namespace Pipeline.ServiceDefaults;

/// <summary>Bound from "Health" (env: Health__Port, Health__Host). Port 0 (the default) serves nothing;
/// containers set a port so the orchestrator can probe /health and scrape /metrics.</summary>
public sealed class HealthEndpointOptions
{
    public const string Section = "Health";

    public int Port { get; set; }

    /// <summary>"127.0.0.1" for this machine only; "*" for every interface (inside a container).</summary>
    public string Host { get; set; } = "127.0.0.1";
}
