using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;

namespace Pipeline.Aggregator;

/// <summary>Stores a scored round and publishes the next round of its search, if any (after the commit).</summary>
public sealed class RoundScoredConsumer(SearchProgress progress, ILogger<RoundScoredConsumer> logger) : IConsumer<RoundScored>
{
    public async Task Consume(ConsumeContext<RoundScored> context)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var next = await progress.RecordRoundAsync(context.Message, context.CancellationToken);
        if (next is not null) await context.Publish(next, context.CancellationToken);
        // scripts/load-test.sh and scripts/gpu/pipeline_run.sh read this (Debug only: thousands a second under load):
        // the time from the verifier's publish of RoundScored (queue wait included) to the next ExpandRound's
        // publish, and of it the time spent here (store, plan, publish)
        if (logger.IsEnabled(LogLevel.Debug) && context.SentTime is { } sent)
            logger.LogDebug("round latency {Ms:F1} ms (search {Search} round {Round}; stored and planned in {StoreMs:F1} ms)",
                (DateTime.UtcNow - sent).TotalMilliseconds, context.Message.Request.SearchId, context.Message.Request.Round,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
