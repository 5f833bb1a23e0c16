using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.Options;

namespace Pipeline.ServiceDefaults;

/// <summary>
/// The endpoint of a batch consumer <c>IConsumer&lt;Batch&lt;TMessage&gt;&gt;</c>: batch size, time limit,
/// concurrency and prefetch from <typeparamref name="TOptions"/>, the shared retry policy, and a
/// per-message validation filter that runs BEFORE a message joins a batch, so a malformed message
/// faults alone into the error queue and its batch goes on.
/// </summary>
public abstract class BatchConsumerDefinition<TConsumer, TMessage, TOptions> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
    where TMessage : class
    where TOptions : BatchConsumerOptions
{
    private readonly TOptions _options;

    protected BatchConsumerDefinition(IOptions<TOptions> options, string endpointName)
    {
        _options = options.Value;
        EndpointName = endpointName;
        ConcurrentMessageLimit = _options.BatchSize * _options.ConcurrencyLimit;
    }

    protected abstract IFilter<ConsumeContext<TMessage>> CreateValidationFilter(IRegistrationContext context);

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.EffectivePrefetch;
        endpointConfigurator.UsePipelineRetry(context);
        endpointConfigurator.AddPipeSpecification(
            new FilterPipeSpecification<ConsumeContext<TMessage>>(CreateValidationFilter(context)));
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(_options.BatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(_options.BatchTimeLimitMs))
            .SetConcurrencyLimit(_options.ConcurrencyLimit));
    }
}
