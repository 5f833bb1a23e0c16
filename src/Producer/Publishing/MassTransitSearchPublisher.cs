using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;

namespace Pipeline.Producer.Publishing;

/// <summary>
/// Publishes through the MassTransit bus that ServiceDefaults' AddPipelineBus configures (RabbitMq__* env vars).
/// The CLI starts the bus only when a command publishes, and stops it afterwards so every message is confirmed
/// (publisher confirms are on) before the process exits.
/// </summary>
public sealed class MassTransitSearchPublisher(IServiceProvider services) : ISearchPublisher
{
    /// <summary>Publishes in flight at once: enough to hide the confirm round-trip, few enough to keep memory flat.</summary>
    private const int Window = 256;

    public async Task PublishAsync(IReadOnlyList<SearchRequested> messages, CancellationToken ct)
    {
        if (messages.Count == 0) return;
        var bus = services.GetRequiredService<IBusControl>();
        using (var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            startTimeout.CancelAfter(TimeSpan.FromSeconds(30));
            await bus.StartAsync(startTimeout.Token);
        }
        try
        {
            for (var i = 0; i < messages.Count; i += Window)
            {
                var chunk = messages.Skip(i).Take(Window).Select(m => bus.Publish(m, ct));
                await Task.WhenAll(chunk);
            }
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }
}
