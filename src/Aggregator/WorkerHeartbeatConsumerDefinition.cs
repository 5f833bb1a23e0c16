using MassTransit;
using Pipeline.ServiceDefaults;

namespace Pipeline.Aggregator;

/// <summary>A few heartbeats a minute per worker: two at a time is plenty, and keeps database connections for the rounds.</summary>
public sealed class WorkerHeartbeatConsumerDefinition : ConsumerDefinition<WorkerHeartbeatConsumer>
{
    public WorkerHeartbeatConsumerDefinition()
    {
        EndpointName = "worker-heartbeat";
        ConcurrentMessageLimit = 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<WorkerHeartbeatConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 8;
        endpointConfigurator.UsePipelineRetry(context);
    }
}
