using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Pipeline.ServiceDefaults;

public static class ConsumerRetryExtensions
{
    /// <summary>The retry policy every pipeline endpoint uses: optional redelivery outside, short in-memory
    /// retries inside, both skipping <see cref="PermanentMessageException"/>. A message that still fails is
    /// faulted into the _error queue by MassTransit (never acknowledged as done).</summary>
    public static void UsePipelineRetry(this IReceiveEndpointConfigurator endpoint, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RetryOptions>>().Value;
        if (options.RedeliverySeconds.Length > 0)
        {
            endpoint.UseDelayedRedelivery(r =>
            {
                r.Intervals(options.RedeliverySeconds.Select(s => TimeSpan.FromSeconds(s)).ToArray());
                r.Ignore<PermanentMessageException>();
            });
        }
        endpoint.UseMessageRetry(r =>
        {
            r.Intervals(options.IntervalsMs.Select(ms => TimeSpan.FromMilliseconds(ms)).ToArray());
            r.Ignore<PermanentMessageException>();
        });
    }
}
