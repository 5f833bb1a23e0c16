using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.Aggregator;

/// <summary>Stores a scored round and publishes the next round of its search, if any (after the commit).</summary>
public sealed class RoundScoredConsumer(SearchProgress progress) : IConsumer<RoundScored>
{
    public async Task Consume(ConsumeContext<RoundScored> context)
    {
        var next = await progress.RecordRoundAsync(context.Message, context.CancellationToken);
        if (next is not null) await context.Publish(next, context.CancellationToken);
    }
}
