using System.Net.Sockets;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Producer.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Producer.Publishing;

/// <summary>
/// Publishes through the MassTransit bus that ServiceDefaults' AddPipelineBus configures (RabbitMq__* env vars).
/// The CLI starts the bus only when a command publishes, and stops it afterwards so every message is confirmed
/// (publisher confirms are on) before the process exits.
/// </summary>
public sealed class MassTransitSearchPublisher(IServiceProvider services, IOptions<ProducerOptions> options, IOptions<RabbitMqOptions> rabbit)
    : ISearchPublisher, IAsyncDisposable
{
    private IBusControl? _bus;

    public async Task ConnectAsync(CancellationToken ct)
    {
        if (_bus is not null) return;
        var r = rabbit.Value;
        var broker = $"RabbitMQ at {r.Host}:{r.Port}";
        // A closed port or a host that does not answer: say so now. MassTransit would keep reconnecting
        // (and logging each attempt) until BusStartTimeoutSeconds.
        var connectTimeout = TimeSpan.FromSeconds(options.Value.BrokerConnectTimeoutSeconds);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(r.Host, r.Port, ct).AsTask().WaitAsync(connectTimeout, ct);
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            var why = e is TimeoutException ? $"no answer within {connectTimeout.TotalSeconds:0.#} s" : e.Message;
            throw new CliException($"{broker} is not reachable ({why}); nothing was written (start it, or set RabbitMq__Host/Port)");
        }

        var bus = services.GetRequiredService<IBusControl>();
        var startTimeout = TimeSpan.FromSeconds(options.Value.BusStartTimeoutSeconds);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(startTimeout);
        try { await bus.StartAsync(timeout.Token); }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? $"not connected within {startTimeout.TotalSeconds:0.#} s" : e.GetBaseException().Message;
            throw new CliException($"{broker} refused the connection ({why}); nothing was written (check RabbitMq__Username/Password/VirtualHost)");
        }
        _bus = bus;
    }

    public async Task PublishAsync(IReadOnlyList<SearchRequested> messages, CancellationToken ct)
    {
        if (messages.Count == 0) return;
        await ConnectAsync(ct);
        try
        {
            var window = Math.Max(1, options.Value.PublishWindow);
            for (var i = 0; i < messages.Count; i += window)
            {
                var chunk = messages.Skip(i).Take(window).Select(m => _bus!.Publish(m, ct));
                await Task.WhenAll(chunk);
            }
        }
        finally
        {
            await DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus is null) return;
        var bus = _bus;
        _bus = null;
        // the container may have disposed the bus first when a command failed between connect and publish
        try { await bus.StopAsync(CancellationToken.None); }
        catch (ObjectDisposedException) { }
    }
}
