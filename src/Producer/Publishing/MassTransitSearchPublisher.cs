using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;

namespace Pipeline.Producer.Publishing;

/// <summary>
/// Publishes through the MassTransit bus that ServiceDefaults' AddPipelineBus configures (RabbitMq__* env vars).
/// The CLI starts the bus only when a command publishes, and stops it afterwards so every message is confirmed
/// (publisher confirms are on) before the process exits.
/// </summary>
public sealed class MassTransitSearchPublisher(IServiceProvider services, IOptions<ProducerOptions> options) : ISearchPublisher
{
    public async Task PublishAsync(IReadOnlyList<SearchRequested> messages, CancellationToken ct)
    {
        if (messages.Count == 0) return;
        var bus = services.GetRequiredService<IBusControl>();
        using (var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            startTimeout.CancelAfter(TimeSpan.FromSeconds(options.Value.BusStartTimeoutSeconds));
            await bus.StartAsync(startTimeout.Token);
        }
        try
        {
            var window = Math.Max(1, options.Value.PublishWindow);
            for (var i = 0; i < messages.Count; i += window)
            {
                var chunk = messages.Skip(i).Take(window).Select(m => bus.Publish(m, ct));
                await Task.WhenAll(chunk);
            }
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }
}
