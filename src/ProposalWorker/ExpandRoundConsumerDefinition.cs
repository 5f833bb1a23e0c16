using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

public sealed class ExpandRoundConsumerDefinition : ConsumerDefinition<ExpandRoundConsumer>
{
    private readonly ProposalOptions _options;

    public ExpandRoundConsumerDefinition(IOptions<ProposalOptions> options)
    {
        _options = options.Value;
        EndpointName = "expand-round";
        ConcurrentMessageLimit = _options.BatchSize * _options.ConcurrencyLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ExpandRoundConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.EffectivePrefetch;
        endpointConfigurator.UsePipelineRetry(context);
        var engine = context.GetRequiredService<IProposalEngine>();
        endpointConfigurator.AddPipeSpecification(
            new FilterPipeSpecification<ConsumeContext<ExpandRound>>(new ExpandRoundValidationFilter(engine)));
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(_options.BatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(_options.BatchTimeLimitMs))
            .SetConcurrencyLimit(_options.ConcurrencyLimit));
    }
}
