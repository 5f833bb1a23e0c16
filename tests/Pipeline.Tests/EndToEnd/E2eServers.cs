using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Pipeline.Tests.Infrastructure;
using RabbitMQ.Client;

namespace Pipeline.Tests.EndToEnd;

/// <summary>
/// The real servers of one end-to-end test, isolated: a fresh migrated database and a fresh RabbitMQ virtual
/// host (the shared <see cref="FreshDatabase"/> and <see cref="RabbitVirtualHost"/> fixtures, which find the
/// servers through Testcontainers or scripts/services.sh and fail saying how to start them). Row counts are
/// exact and no message reaches services or tests running beside it.
/// </summary>
public sealed class E2eServers : IAsyncDisposable
{
    private readonly FreshDatabase _database = new();
    private readonly RabbitVirtualHost _vhost = new();

    public static async Task<E2eServers> StartAsync()
    {
        var s = new E2eServers();
        try
        {
            await s._database.InitializeAsync();
            await s._vhost.InitializeAsync();
        }
        catch
        {
            await s.DisposeAsync();
            throw;
        }
        return s;
    }

    public string Connection => _database.ConnectionString;

    public string DatabaseName => _database.Name;

    public string VirtualHost => _vhost.Name;

    public ServerEndpoints Endpoints => _vhost.Servers;

    /// <summary>The configuration keys every service reads (the same names as the env vars RabbitMq__Host, ...).</summary>
    public Dictionary<string, string?> Configuration()
    {
        var c = new Dictionary<string, string?>(_vhost.Configuration)
        {
            ["RabbitMq:WaitUntilStarted"] = "true",
            ["ConnectionStrings:Pipeline"] = _database.ConnectionString,
        };
        return c;
    }

    public NpgsqlDataSource DataSource() => NpgsqlDataSource.Create(_database.ConnectionString);

    /// <summary>Exact message count of a queue (a passive declare, not the management API's sampled stats);
    /// 0 for a queue that was never created (MassTransit creates an _error queue on first use).</summary>
    public async Task<uint> QueueDepthAsync(string queue)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>Consumers on a queue; 0 for a queue not declared yet.</summary>
    public async Task<uint> QueueConsumersAsync(string queue)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).ConsumerCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>Closes every client connection of this test's virtual host (management API), as a broker restart
    /// does for its clients: unacknowledged deliveries go back to their queues and every client reconnects.
    /// Other tests' connections on the shared broker are left alone. Waits (up to 20 s: the management API lists a
    /// new connection a few seconds late) until at least <paramref name="expected"/> are listed; returns how many were closed.</summary>
    public async Task<int> DropConnectionsAsync(int expected)
    {
        using var http = TestServers.Management(_vhost.Servers);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<JsonElement> list;
        while ((list = await http.GetFromJsonAsync<List<JsonElement>>($"api/vhosts/{Uri.EscapeDataString(_vhost.Name)}/connections") ?? []).Count < expected
               && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        foreach (var c in list)
        {
            var name = c.GetProperty("name").GetString()!;
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/connections/{Uri.EscapeDataString(name)}");
            request.Headers.Add("X-Reason", "chaos test: broker connection path restarted");
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        }
        return list.Count;
    }

    /// <summary>Puts raw bytes on a queue, as a broken or foreign publisher would.</summary>
    public async Task PublishRawAsync(string queue, string body, string contentType)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicPublishAsync("", queue, true, new BasicProperties { ContentType = contentType, Persistent = true },
            Encoding.UTF8.GetBytes(body));
    }

    public async Task PurgeAsync(string queue)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(queue);
    }

    private ConnectionFactory Factory() => new()
    {
        HostName = _vhost.Servers.RabbitHost,
        Port = _vhost.Servers.RabbitPort,
        VirtualHost = _vhost.Name,
        UserName = _vhost.Servers.RabbitUsername,
        Password = _vhost.Servers.RabbitPassword,
    };

    public async ValueTask DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
    }
}
