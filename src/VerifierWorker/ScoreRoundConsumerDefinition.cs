using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

public sealed class ScoreRoundConsumerDefinition : ConsumerDefinition<ScoreRoundConsumer>
{
    private readonly VerifierOptions _options;

    public ScoreRoundConsumerDefinition(IOptions<VerifierOptions> options)
    {
        _options = options.Value;
        EndpointName = "score-round";
        ConcurrentMessageLimit = _options.BatchSize * _options.ConcurrencyLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ScoreRoundConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.EffectivePrefetch;
        endpointConfigurator.UsePipelineRetry(context);
        var scorer = context.GetRequiredService<IStepScorer>();
        endpointConfigurator.AddPipeSpecification(
            new FilterPipeSpecification<ConsumeContext<ScoreRound>>(new ScoreRoundValidationFilter(scorer)));
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(_options.BatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(_options.BatchTimeLimitMs))
            .SetConcurrencyLimit(_options.ConcurrencyLimit));
    }
}
