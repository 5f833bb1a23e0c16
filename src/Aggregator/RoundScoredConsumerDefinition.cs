using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.ServiceDefaults;

namespace Pipeline.Aggregator;

public sealed class RoundScoredConsumerDefinition : ConsumerDefinition<RoundScoredConsumer>
{
    private readonly AggregatorOptions _options;

    public RoundScoredConsumerDefinition(IOptions<AggregatorOptions> options)
    {
        _options = options.Value;
        EndpointName = "round-scored";
        ConcurrentMessageLimit = _options.ConcurrencyLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RoundScoredConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.EffectivePrefetch;
        endpointConfigurator.UsePipelineRetry(context);
    }
}
