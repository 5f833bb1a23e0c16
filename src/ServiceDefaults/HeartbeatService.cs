using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.ServiceDefaults;

/// <summary>Logs health (bus connected or not) and throughput totals at a fixed interval: an overnight
/// batch on a plain host has no dashboard, so stdout is where an operator looks first.</summary>
internal sealed class HeartbeatService(
    HealthCheckService health,
    PipelineMetrics metrics,
    IOptions<HeartbeatOptions> options,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.IntervalSeconds);
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var report = await health.CheckHealthAsync(stoppingToken);
                logger.LogInformation(
                    "heartbeat: health={Status} messages={Messages} sequences={Sequences} tokens={Tokens}",
                    report.Status, metrics.Messages, metrics.Sequences, metrics.Tokens);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
