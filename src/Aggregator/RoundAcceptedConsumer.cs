using MassTransit;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Storage.Searches;

namespace Pipeline.Aggregator;

/// <summary>Marks rounds a worker took into a batch, so the recovery sweep tells a lost round from a slow one.</summary>
public sealed class RoundAcceptedConsumer(NpgsqlDataSource db) : IConsumer<RoundAccepted>
{
    public Task Consume(ConsumeContext<RoundAccepted> context) =>
        SearchStateStore.AcceptedAsync(db, context.Message.Rounds, context.CancellationToken);
}
