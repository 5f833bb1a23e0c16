using MassTransit;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Storage.Workers;

namespace Pipeline.Aggregator;

/// <summary>Stores each worker's latest heartbeat in table <c>workers</c> (the Aggregator is the one service that writes PostgreSQL).</summary>
public sealed class WorkerHeartbeatConsumer(NpgsqlDataSource db) : IConsumer<WorkerHeartbeat>
{
    public Task Consume(ConsumeContext<WorkerHeartbeat> context) =>
        WorkerStore.UpsertAsync(db, context.Message, context.CancellationToken);
}
