using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using RabbitMQ.Client;

namespace Pipeline.Tests.EndToEnd;

/// <summary>
/// The real servers of an end-to-end test, isolated per test class: a fresh RabbitMQ virtual host and a
/// fresh PostgreSQL database on the servers that scripts/services.sh runs (the same env vars the services
/// read). Nothing is shared with other tests or engineers using the broker, and row counts are exact.
/// Missing servers fail the test, saying how to start them.
/// </summary>
public sealed class TestServers : IAsyncDisposable
{
    private const string HowToStart = "start them with: scripts/services.sh start && eval \"$(scripts/services.sh env)\"";

    public required string AmqpHost { get; init; }
    public required int AmqpPort { get; init; }
    public required int ManagementPort { get; init; }
    public required string Username { get; init; }
    public required string Password { get; init; }
    public required string VirtualHost { get; init; }
    public required string AdminConnection { get; init; }
    public required string DatabaseName { get; init; }
    public required string Connection { get; init; }

    public static async Task<TestServers> StartAsync()
    {
        string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
        var admin = Env("ConnectionStrings__Pipeline", "Host=127.0.0.1;Port=5433;Username=pipeline;Password=pipeline;Database=pipeline");
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var servers = new TestServers
        {
            AmqpHost = Env("RabbitMq__Host", "127.0.0.1"),
            AmqpPort = int.Parse(Env("RabbitMq__Port", "5672")),
            ManagementPort = int.Parse(Env("RabbitMq__ManagementPort", "15672")),
            Username = Env("RabbitMq__Username", "guest"),
            Password = Env("RabbitMq__Password", "guest"),
            VirtualHost = "e2e-" + suffix,
            AdminConnection = admin,
            DatabaseName = "pipeline_e2e_" + suffix,
            Connection = new NpgsqlConnectionStringBuilder(admin) { Database = "pipeline_e2e_" + suffix, Pooling = true }.ConnectionString,
        };
        try
        {
            await using (var c = new NpgsqlConnection(admin))
            {
                await c.OpenAsync();
                await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{servers.DatabaseName}\"", c);
                await cmd.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"PostgreSQL is not reachable with '{admin}' ({e.Message}); {HowToStart}", e);
        }
        try
        {
            using var http = servers.Management();
            (await http.PutAsync($"api/vhosts/{servers.VirtualHost}", null)).EnsureSuccessStatusCode();
            (await http.PutAsJsonAsync($"api/permissions/{servers.VirtualHost}/{servers.Username}",
                new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        }
        catch (HttpRequestException e)
        {
            await servers.DropDatabaseAsync();
            throw new InvalidOperationException(
                $"the RabbitMQ management API on 127.0.0.1:{servers.ManagementPort} is not reachable ({e.Message}); {HowToStart}", e);
        }
        return servers;
    }

    /// <summary>The configuration keys every service reads (same as the env vars RabbitMq__Host, ...).</summary>
    public Dictionary<string, string?> Configuration() => new()
    {
        ["RabbitMq:Host"] = AmqpHost,
        ["RabbitMq:Port"] = AmqpPort.ToString(),
        ["RabbitMq:VirtualHost"] = VirtualHost,
        ["RabbitMq:Username"] = Username,
        ["RabbitMq:Password"] = Password,
        ["RabbitMq:WaitUntilStarted"] = "true",
        ["ConnectionStrings:Pipeline"] = Connection,
    };

    public NpgsqlDataSource DataSource() => NpgsqlDataSource.Create(Connection);

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
        HostName = AmqpHost, Port = AmqpPort, VirtualHost = VirtualHost, UserName = Username, Password = Password,
    };

    private HttpClient Management()
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ManagementPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}")));
        return http;
    }

    private async Task DropDatabaseAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var c = new NpgsqlConnection(AdminConnection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var http = Management();
            await http.DeleteAsync($"api/vhosts/{VirtualHost}");
        }
        catch (HttpRequestException)
        {
        }
        await DropDatabaseAsync();
    }
}
