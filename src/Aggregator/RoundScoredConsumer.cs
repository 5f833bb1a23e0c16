using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;

namespace Pipeline.Aggregator;

/// <summary>Stores a scored round and publishes the next round of its search, if any (after the commit).</summary>
public sealed class RoundScoredConsumer(SearchProgress progress, ILogger<RoundScoredConsumer> logger) : IConsumer<RoundScored>
{
    public async Task Consume(ConsumeContext<RoundScored> context)
    {
        var next = await progress.RecordRoundAsync(context.Message, context.CancellationToken);
        if (next is not null) await context.Publish(next, context.CancellationToken);
        // scripts/load-test.sh reads this (Debug only: thousands a second under load): the time from the verifier's
        // publish of RoundScored (queue wait included) to the next ExpandRound's publish
        if (logger.IsEnabled(LogLevel.Debug) && context.SentTime is { } sent)
            logger.LogDebug("round latency {Ms:F1} ms (search {Search} round {Round})",
                (DateTime.UtcNow - sent).TotalMilliseconds, context.Message.Request.SearchId, context.Message.Request.Round);
    }
}
