using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.Aggregator;

/// <summary>Starts a search (round 0). Idempotent: a running search gets its current round re-requested,
/// a finished one is left alone.</summary>
public sealed class SearchRequestedConsumer(SearchProgress progress) : IConsumer<SearchRequested>
{
    public async Task Consume(ConsumeContext<SearchRequested> context)
    {
        var next = await progress.RequestCurrentRoundAsync(context.Message.SearchId, null, context.CancellationToken);
        if (next is not null) await context.Publish(next, context.CancellationToken);
    }
}
