using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using RabbitMQ.Client;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// A RabbitMQ node of one test's own, so the test can stop and start it (a real broker restart) without touching the
/// broker other tests and engineers share. Started and stopped by <c>scripts/services.sh</c> as a second instance: its
/// own folder (PIPELINE_SERVICES_DIR under /tmp), free AMQP, management and distribution ports, node name
/// rabbit-PORT@localhost, credentials of its own; PIPELINE_PG_PORT is the shared PostgreSQL's, which the script finds
/// open and leaves alone (its stop ends only what that folder's pid files name: this node).
/// <see cref="TryStartAsync"/> returns null where that cannot be done (servers from Docker, no rabbitmq-server
/// installed): the caller falls back to something weaker and says so.
/// </summary>
internal sealed class PrivateBroker : IAsyncDisposable
{
    private readonly Dictionary<string, string> _instance;
    private readonly string _folder;

    private PrivateBroker(Dictionary<string, string> instance, string folder, int port, int managementPort)
    {
        _instance = instance;
        _folder = folder;
        Port = port;
        ManagementPort = managementPort;
    }

    public int Port { get; }
    public int ManagementPort { get; }
    public string Username { get; private set; } = "";
    public string Password { get; private set; } = "";

    /// <summary>The RabbitMq:* keys (env vars RabbitMq__*) that point a service at this node's default virtual host.</summary>
    public IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["RabbitMq:Host"] = "127.0.0.1",
        ["RabbitMq:Port"] = Port.ToString(),
        ["RabbitMq:ManagementPort"] = ManagementPort.ToString(),
        ["RabbitMq:Username"] = Username,
        ["RabbitMq:Password"] = Password,
        ["RabbitMq:VirtualHost"] = "/",
    };

    public static async Task<PrivateBroker?> TryStartAsync(ServerEndpoints shared)
    {
        if (shared.Source == "Testcontainers" || !File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server")) return null;
        var folder = Path.Combine(Path.GetTempPath(), $"pipeline-broker-{Guid.NewGuid():N}"[..28]);
        var (port, management, distribution) = (FreePort(), FreePort(), FreePort());
        var instance = new Dictionary<string, string>
        {
            ["PIPELINE_SERVICES_DIR"] = folder,
            ["PIPELINE_AMQP_PORT"] = port.ToString(),
            ["PIPELINE_RABBIT_MGMT_PORT"] = management.ToString(),
            ["PIPELINE_RABBIT_DIST_PORT"] = distribution.ToString(),
            ["PIPELINE_PG_PORT"] = new NpgsqlConnectionStringBuilder(shared.PostgresAdmin).Port.ToString(),
            ["PIPELINE_NO_DOCKER"] = "1",
        };
        var broker = new PrivateBroker(instance, folder, port, management);
        try
        {
            await broker.ScriptAsync("start");
            var env = TestServers.ServicesScriptEnv(instance);
            broker.Username = env["RabbitMq__Username"];
            broker.Password = env["RabbitMq__Password"];
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
        return broker;
    }

    /// <summary>Stops the node (SIGTERM, as an operator's restart does) and starts it again on the same folder: durable
    /// queues and persistent messages come back from its disk, every client has to reconnect. Returns how long the
    /// broker was away.</summary>
    public async Task<TimeSpan> RestartAsync()
    {
        var watch = Stopwatch.StartNew();
        await ScriptAsync("stop");
        await ScriptAsync("start");
        return watch.Elapsed;
    }

    /// <summary>Exact message count of a queue; 0 for one not declared yet.</summary>
    public Task<uint> QueueDepthAsync(string queue) => PeekAsync(queue, ok => ok.MessageCount);

    /// <summary>Consumers on a queue; 0 for one not declared yet.</summary>
    public Task<uint> QueueConsumersAsync(string queue) => PeekAsync(queue, ok => ok.ConsumerCount);

    private async Task<uint> PeekAsync(string queue, Func<QueueDeclareOk, uint> read)
    {
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = Port, UserName = Username, Password = Password };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return read(await channel.QueueDeclarePassiveAsync(queue));
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private async Task ScriptAsync(string verb)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "services.sh"), verb])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (k, v) in _instance) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"scripts/services.sh {verb} (PIPELINE_SERVICES_DIR={_folder}) exited {p.ExitCode}:\n{await output}{await error}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the node; the folder goes only once it stopped, so a node that did not is still found by its pid
    /// files (<c>PIPELINE_SERVICES_DIR=FOLDER scripts/services.sh stop</c>).</summary>
    public async ValueTask DisposeAsync()
    {
        await ScriptAsync("stop");
        Directory.Delete(_folder, recursive: true);
    }
}
