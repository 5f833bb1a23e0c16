using System.Text;
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
