using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Storage.Searches;

namespace Pipeline.Aggregator;

/// <summary>
/// Re-requests the current round of every running search whose round is overdue: on start (picking up
/// where a crashed Aggregator left off) and then every RecoveryIntervalSeconds. Deterministic seeds make
/// the redo identical, and the search_rounds key drops whichever copy of the round comes back second.
/// </summary>
public sealed class RecoverySweep(
    NpgsqlDataSource db,
    SearchProgress progress,
    IBus bus,
    IOptions<AggregatorOptions> options,
    ILogger<RecoverySweep> logger) : BackgroundService
{
    // re-requests per (search, round) since this process started; only the sweep's own loop touches it
    private readonly Dictionary<(long SearchId, int Round), (int Count, DateTime Last)> _requests = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.1, o.RecoveryIntervalSeconds)));
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // the database or broker is away: the next tick tries again
                logger.LogWarning(e, "recovery sweep failed: {Message}", e.Message);
            }
        } while (await WaitAsync(timer, stoppingToken));
    }

    /// <returns>How many rounds were re-requested.</returns>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var timeout = TimeSpan.FromSeconds(o.RoundTimeoutSeconds);
        var stalled = await SearchStateStore.StalledAsync(db, timeout, o.RecoveryBatchSize, ct);
        // a round not re-requested for well over a timeout came back (or its search moved on): forget it
        var now = DateTime.UtcNow;
        var forget = 2 * timeout + TimeSpan.FromSeconds(o.RecoveryIntervalSeconds);
        foreach (var (key, _) in _requests.Where(e => now - e.Value.Last > forget).ToList()) _requests.Remove(key);
        var sent = 0;
        foreach (var key in stalled)
        {
            var n = _requests.TryGetValue(key, out var seen) ? seen.Count : 0;
            if (o.MaxRoundRequests > 0 && n >= o.MaxRoundRequests)
            {
                logger.LogError("search {Search}: round {Round} re-requested {Count} times without coming back (see the workers' _error queues): search failed",
                    key.SearchId, key.Round, n);
                await progress.FailAsync(key.SearchId, ct, key.Round);
                _requests.Remove(key);
                continue;
            }
            var next = await progress.RequestCurrentRoundAsync(key.SearchId, timeout, ct);
            if (next is null) continue;
            await bus.Publish(next, ct);
            _requests[key] = (n + 1, now);
            sent++;
        }
        if (sent > 0) logger.LogWarning("recovery sweep: re-requested {Count} overdue rounds (timeout {Timeout} s)", sent, o.RoundTimeoutSeconds);
        return sent;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
