using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Storage.Searches;

namespace Pipeline.Aggregator;

/// <summary>
/// Re-requests the current round of every running search whose round looks lost (<see cref="SearchStateStore.LostAsync"/>:
/// not accepted by a worker while later rounds were, or while nothing was and no alive proposal worker reports a batch
/// in flight; or accepted and overdue), and fails the searches whose round a
/// worker gave up on more than ErrorGraceSeconds ago. Runs on start (picking up where a crashed Aggregator left off)
/// and then every RecoveryIntervalSeconds. Deterministic seeds make the redo identical, and the search_rounds key
/// drops whichever copy of the round comes back second. Re-request counts live in the searches table, so a restart
/// neither forgets nor resets them.
/// </summary>
public sealed class RecoverySweep(
    NpgsqlDataSource db,
    SearchProgress progress,
    IBus bus,
    IOptions<AggregatorOptions> options,
    ILogger<RecoverySweep> logger) : BackgroundService
{
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
        foreach (var (searchId, round, reason) in await SearchStateStore.FaultedPastGraceAsync(db, TimeSpan.FromSeconds(o.ErrorGraceSeconds), o.RecoveryBatchSize, ct))
        {
            logger.LogError("search {Search}: round {Round} has sat in an _error queue for over {Grace} s: search failed ({Reason})",
                searchId, round, o.ErrorGraceSeconds, reason);
            await progress.FailAsync(searchId, $"round {round} in an _error queue for over {o.ErrorGraceSeconds:0} s: {reason}", ct, round);
        }

        var accept = TimeSpan.FromSeconds(o.AcceptTimeoutSeconds);
        var lost = await SearchStateStore.LostAsync(db, accept, TimeSpan.FromSeconds(o.RoundTimeoutSeconds), o.RecoveryBatchSize, ct);
        var sent = 0;
        foreach (var (searchId, round, requests) in lost)
        {
            if (o.MaxRoundRequests > 0 && requests >= o.MaxRoundRequests)
            {
                logger.LogError("search {Search}: round {Round} re-requested {Count} times without coming back: search failed",
                    searchId, round, requests);
                await progress.FailAsync(searchId, $"round {round} re-requested {requests} times without coming back (no worker took it, or it never returned)", ct, round);
                continue;
            }
            // the store's query judged the round lost; the search may have moved on since, which the round check catches
            var next = await progress.RequestCurrentRoundAsync(searchId, TimeSpan.Zero, ct, round);
            if (next is null) continue;
            await bus.Publish(next, ct);
            sent++;
        }
        if (sent > 0) logger.LogWarning("recovery sweep: re-requested {Count} lost rounds", sent);
        return sent;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
