using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Pipeline.ServiceDefaults;

namespace Pipeline.Tests.Messaging;

public sealed class HealthEndpointTests
{
    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static async Task<(IHost Host, HttpClient Client)> StartAsync(bool healthy, string bindHost = "127.0.0.1")
    {
        var port = FreePort();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Health:Port"] = port.ToString(),
            ["Health:Host"] = bindHost,
            ["Heartbeat:IntervalSeconds"] = "0",
        });
        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("bus", () =>
            healthy ? HealthCheckResult.Healthy("connected") : HealthCheckResult.Unhealthy("not connected"));
        var host = builder.Build();
        await host.StartAsync();
        return (host, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") });
    }

    [Fact]
    public async Task Health_is_200_when_every_check_passes_and_metrics_show_the_totals()
    {
        var (host, client) = await StartAsync(healthy: true);
        using var _ = host;
        host.Services.GetRequiredService<PipelineMetrics>().Record(2, 3, 5);

        var health = await client.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("bus: Healthy connected", await health.Content.ReadAsStringAsync());
        var metrics = await client.GetStringAsync("metrics");
        Assert.Contains("pipeline_messages_total 2\n", metrics);
        Assert.Contains("pipeline_tokens_total 5\n", metrics);
        await host.StopAsync();
    }

    [Fact]
    public async Task Health_is_503_when_a_check_fails_also_when_bound_to_every_interface()
    {
        var (host, client) = await StartAsync(healthy: false, bindHost: "*");
        using var _ = host;

        var health = await client.GetAsync("health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("bus: Unhealthy not connected", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("nope")).StatusCode);
        await host.StopAsync();
    }
}
