using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;

namespace Pipeline.ServiceDefaults;

/// <summary>Publishes <see cref="WorkerHeartbeat"/> at start and every <see cref="WorkerHeartbeatOptions.IntervalSeconds"/>,
/// so <c>run submit</c> can warn about a model nothing serves and <c>run status</c> can list the workers. Each message
/// lives three intervals in the broker (a heartbeat that waited longer would make a dead worker look alive); a clean
/// stop sends a last one with interval 0, which marks the worker dead at once. A process that serves two roles (the
/// combined worker) has two descriptions and sends one heartbeat per role. Each heartbeat carries its role's work in
/// flight (<see cref="WorkInFlight"/>); this timer runs apart from the consumers, so it keeps beating through a long batch.</summary>
internal sealed class WorkerHeartbeatService(
    IServiceProvider services,
    IBus bus,
    WorkInFlight work,
    IOptions<WorkerHeartbeatOptions> options,
    ILogger<WorkerHeartbeatService> logger) : BackgroundService
{
    private readonly DateTime _startedAt = DateTime.UtcNow;
    private List<WorkerDescription>? _descriptions;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.IntervalSeconds);
        if (interval <= TimeSpan.Zero) return;
        await Task.Yield();   // loading the models (below) must not hold up the host's start
        try
        {
            _descriptions = services.GetServices<IWorkerDescription>().Select(d => d.Describe()).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError("worker heartbeat off: the worker could not say what it serves ({Type}: {Message})", e.GetType().Name, e.Message);
            return;
        }
        foreach (var d in _descriptions)
            logger.LogInformation("announcing {Role} worker {Worker} serving {Models} on {Device} every {Interval} s",
                d.Role, WorkerIdentity.Name, string.Join(", ", d.Models.Select(m => $"{m.Slot} {m.Name}")),
                d.Device, interval.TotalSeconds);

        using var timer = new PeriodicTimer(interval);
        var failing = false;
        do
        {
            try
            {
                foreach (var d in _descriptions) await PublishAsync(d, interval, stoppingToken);
                if (failing) logger.LogInformation("worker heartbeat published again");
                failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // the broker is down or restarting: say so once, keep trying each interval
                if (!failing) logger.LogWarning("worker heartbeat not published ({Reason}); retrying every {Interval} s",
                    e is OperationCanceledException ? $"the broker did not take it within {interval.TotalSeconds} s" : $"{e.GetType().Name}: {e.Message}",
                    interval.TotalSeconds);
                failing = true;
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_descriptions is null) return;
        try
        {
            foreach (var d in _descriptions) await PublishAsync(d, TimeSpan.Zero, cancellationToken, TimeSpan.FromSeconds(2));
        }
        catch (Exception e)
        {
            logger.LogDebug("last worker heartbeat not published ({Type}: {Message})", e.GetType().Name, e.Message);
        }
    }

    private async Task PublishAsync(WorkerDescription d, TimeSpan interval, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? interval);
        var (rounds, since) = work.Snapshot(d.Role);
        var heartbeat = new WorkerHeartbeat(WorkerIdentity.Name, d.Role, d.Models, d.Device, _startedAt, DateTime.UtcNow, interval.TotalSeconds,
            rounds, since);
        var ttl = TimeSpan.FromSeconds(3 * Math.Max(interval.TotalSeconds, 1));
        await bus.Publish(heartbeat, c => c.TimeToLive = ttl, cts.Token);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
