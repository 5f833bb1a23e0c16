using MassTransit;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Storage.Searches;

namespace Pipeline.Aggregator;

/// <summary>MassTransit publishes Fault&lt;T&gt; when a worker moves a message to its _error queue: the round will not
/// come back by itself. The search keeps running for ErrorGraceSeconds (time to fix the cause and re-queue the
/// message) and then fails with the worker's exception as its reason (RecoverySweep).</summary>
public sealed class RoundFaultConsumer(NpgsqlDataSource db, ILogger<RoundFaultConsumer> logger)
    : IConsumer<Fault<ExpandRound>>, IConsumer<Fault<ScoreRound>>
{
    public Task Consume(ConsumeContext<Fault<ExpandRound>> context) =>
        RecordAsync("expand-round", context.Message.Message, context.Message, context.CancellationToken);

    public Task Consume(ConsumeContext<Fault<ScoreRound>> context) =>
        RecordAsync("score-round", context.Message.Message.Request, context.Message, context.CancellationToken);

    private async Task RecordAsync(string queue, ExpandRound round, Fault fault, CancellationToken ct)
    {
        var exception = fault.Exceptions.FirstOrDefault();
        var reason = $"{queue}_error: {exception?.Message ?? "the worker gave up on the round"}";
        if (await SearchStateStore.FaultedAsync(db, round.SearchId, round.Round, reason, ct))
            logger.LogWarning("search {Search}: round {Round} faulted on a worker ({Reason})", round.SearchId, round.Round, reason);
    }
}
