using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.ServiceDefaults;

/// <summary>
/// A tiny HTTP endpoint for probes and scrapers, without pulling ASP.NET into GPU workers:
/// <c>GET /health</c> answers 200 when every health check (the bus among them) is healthy, else 503,
/// with one line per check; <c>GET /metrics</c> gives the running totals in Prometheus text format.
/// </summary>
internal sealed class HealthEndpoint(
    HealthCheckService health,
    PipelineMetrics metrics,
    IOptions<HealthEndpointOptions> options,
    ILogger<HealthEndpoint> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private HttpListener? _listener;
    private Task _loop = Task.CompletedTask;

    // The listener starts inside StartAsync (not in a background loop), so the port is open once the
    // host has started, and a port already taken fails the start instead of going unnoticed.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.Port <= 0) return Task.CompletedTask;
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://{o.Host}:{o.Port}/");
        _listener.Start();
        logger.LogInformation("health and metrics on http://{Host}:{Port}/health and /metrics", o.Host, o.Port);
        _loop = Task.Run(() => ServeAsync(_listener, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is null) return;
        await _stopping.CancelAsync();
        _listener.Stop();
        await _loop;
    }

    // Hosts may be disposed without StopAsync (test harnesses do): close the socket either way. The
    // token source holds no timer, so it is left to the collector rather than disposed under a loop.
    public void Dispose()
    {
        _stopping.Cancel();
        _listener?.Close();
    }

    private async Task ServeAsync(HttpListener listener, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await AnswerAsync(context, stoppingToken);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                logger.LogDebug(e, "health endpoint: client went away");
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken ct)
    {
        var response = context.Response;
        var (status, body) = context.Request.Url?.AbsolutePath switch
        {
            "/health" => await HealthAsync(ct),
            "/metrics" => (200, Metrics()),
            _ => (404, "try /health or /metrics\n"),
        };
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(body);
        await response.OutputStream.WriteAsync(bytes, ct);
        response.Close();
    }

    private async Task<(int, string)> HealthAsync(CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(ct);
        var text = new StringBuilder().AppendLine(report.Status.ToString());
        foreach (var (name, entry) in report.Entries)
            text.AppendLine(CultureInfo.InvariantCulture, $"{name}: {entry.Status} {entry.Description}");
        return (report.Status == HealthStatus.Healthy ? 200 : 503, text.ToString());
    }

    private string Metrics() => string.Create(CultureInfo.InvariantCulture, $"""
        # HELP pipeline_messages_total Round messages handled
        # TYPE pipeline_messages_total counter
        pipeline_messages_total {metrics.Messages}
        # HELP pipeline_sequences_total Candidates generated, scored or stored
        # TYPE pipeline_sequences_total counter
        pipeline_sequences_total {metrics.Sequences}
        # HELP pipeline_tokens_total Tokens generated or scored
        # TYPE pipeline_tokens_total counter
        pipeline_tokens_total {metrics.Tokens}

        """);
}
