using System.Text.Json;
using Pipeline.Tests.Infrastructure;
using RabbitMQ.Client;

namespace Pipeline.Tests.Producer;

/// <summary>A real RabbitMQ queue bound to the exchange MassTransit publishes SearchRequested to, in a test vhost:
/// what a consumer would receive, read back message by message.</summary>
internal sealed class SearchRequestedQueue : IAsyncDisposable
{
    // MassTransit's publish topology: one durable fanout exchange per message type, named by its full type name.
    private const string Exchange = "Pipeline.Contracts:SearchRequested";
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;

    private SearchRequestedQueue(IConnection connection, IChannel channel, string queue) =>
        (_connection, _channel, _queue) = (connection, channel, queue);

    public static async Task<SearchRequestedQueue> BindAsync(RabbitVirtualHost vhost)
    {
        var s = vhost.Servers;
        var factory = new ConnectionFactory { HostName = s.RabbitHost, Port = s.RabbitPort, UserName = s.RabbitUsername, Password = s.RabbitPassword, VirtualHost = vhost.Name };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = $"test-search-requested-{Guid.NewGuid():N}";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, Exchange, "");
        return new SearchRequestedQueue(connection, channel, queue);
    }

    /// <summary>Reads until <paramref name="expected"/> messages arrived (or 15 s passed), then checks nothing more comes.</summary>
    public async Task<IReadOnlyList<(Guid RunId, long SearchId)>> ReadAsync(int expected)
    {
        var messages = new List<(Guid, long)>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var got = await _channel.BasicGetAsync(_queue, autoAck: true);
            if (got is null)
            {
                if (messages.Count >= expected) break;
                await Task.Delay(50);
                continue;
            }
            using var doc = JsonDocument.Parse(got.Body);
            var m = doc.RootElement.GetProperty("message");
            messages.Add((m.GetProperty("runId").GetGuid(), m.GetProperty("searchId").GetInt64()));
        }
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.QueueDeleteAsync(_queue);
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}
