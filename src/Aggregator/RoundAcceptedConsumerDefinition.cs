using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.ServiceDefaults;

namespace Pipeline.Aggregator;

public sealed class RoundAcceptedConsumerDefinition : ConsumerDefinition<RoundAcceptedConsumer>
{
    private readonly AggregatorOptions _options;

    public RoundAcceptedConsumerDefinition(IOptions<AggregatorOptions> options)
    {
        _options = options.Value;
        EndpointName = "round-accepted";
        ConcurrentMessageLimit = _options.ConcurrencyLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RoundAcceptedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.EffectivePrefetch;
        endpointConfigurator.UsePipelineRetry(context);
    }
}
