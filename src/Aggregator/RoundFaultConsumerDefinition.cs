using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.ServiceDefaults;

namespace Pipeline.Aggregator;

public sealed class RoundFaultConsumerDefinition : ConsumerDefinition<RoundFaultConsumer>
{
    private readonly AggregatorOptions _options;

    public RoundFaultConsumerDefinition(IOptions<AggregatorOptions> options)
    {
        _options = options.Value;
        EndpointName = "round-fault";
        ConcurrentMessageLimit = _options.ConcurrencyLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RoundFaultConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.EffectivePrefetch;
        endpointConfigurator.UsePipelineRetry(context);
    }
}
