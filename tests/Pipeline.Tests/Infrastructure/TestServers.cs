using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Where the test servers are. <see cref="PostgresAdmin"/> may create databases (and roles).</summary>
public sealed record ServerEndpoints(
    string PostgresAdmin,
    string RabbitHost,
    int RabbitPort,
    int RabbitManagementPort,
    string RabbitUsername,
    string RabbitPassword,
    string Source);

/// <summary>
/// PostgreSQL and RabbitMQ for integration tests, found once per test run: Testcontainers when a Docker
/// engine is there, else the servers <c>scripts/services.sh start</c> runs (env from <c>scripts/services.sh env</c>;
/// run for its output when the env is unset). Neither reachable: every integration test FAILS saying how to start them.
/// </summary>
public static class TestServers
{
    private const string StartHint = "start them with scripts/services.sh start (then eval \"$(scripts/services.sh env)\")";
    private static readonly Lazy<Task<ServerEndpoints>> Servers = new(FindAsync);

    public static Task<ServerEndpoints> GetAsync() => Servers.Value;

    private static async Task<ServerEndpoints> FindAsync()
    {
        if (Environment.GetEnvironmentVariable("PIPELINE_NO_DOCKER") != "1" && await TryContainersAsync() is { } containers)
            return containers;
        var local = FromEnvironment();
        await CheckPostgresAsync(local);
        await CheckRabbitAsync(local);
        return local;
    }

    private static async Task<ServerEndpoints?> TryContainersAsync()
    {
        PostgreSqlContainer pg;
        RabbitMqContainer rabbit;
        try
        {
            // Build() itself throws DockerUnavailableException without an engine (notes/machines.md)
            pg = new PostgreSqlBuilder("postgres:15-alpine").Build();
            rabbit = new RabbitMqBuilder("rabbitmq:3.13-management").WithPortBinding(15672, true)
                .WithUsername("guest").WithPassword("guest").Build();
        }
        catch (DockerUnavailableException) { return null; }
        try
        {
            await Task.WhenAll(pg.StartAsync(), rabbit.StartAsync());
        }
        catch (DockerUnavailableException) { return null; }
        return new ServerEndpoints(pg.GetConnectionString(), rabbit.Hostname, rabbit.GetMappedPublicPort(5672),
            rabbit.GetMappedPublicPort(15672), "guest", "guest", "Testcontainers");
    }

    /// <summary>The RabbitMq__* and ConnectionStrings__Pipeline variables; when they are not set, what
    /// <c>scripts/services.sh env</c> prints (the generated credentials of the servers it started).</summary>
    private static ServerEndpoints FromEnvironment()
    {
        var script = Environment.GetEnvironmentVariable("ConnectionStrings__Pipeline") is { Length: > 0 } ? null : ServicesScriptEnv();
        string Env(string name)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } v) return v;
            if (script is not null && script.TryGetValue(name, out var s)) return s;
            throw new InvalidOperationException($"{name} is not set and scripts/services.sh env did not print it: {StartHint}");
        }
        return new ServerEndpoints(
            Env("ConnectionStrings__Pipeline"),
            Env("RabbitMq__Host"),
            int.Parse(Env("RabbitMq__Port")),
            int.Parse(Env("RabbitMq__ManagementPort")),
            Env("RabbitMq__Username"),
            Env("RabbitMq__Password"),
            "scripts/services.sh servers");
    }

    /// <summary>What <c>scripts/services.sh env</c> exports, for the instance <paramref name="instance"/> names
    /// (PIPELINE_SERVICES_DIR, ports; default: the shared one).</summary>
    internal static Dictionary<string, string> ServicesScriptEnv(IReadOnlyDictionary<string, string>? instance = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "services.sh"), "env"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (k, v) in instance ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        foreach (var line in stdout.Split('\n'))
        {
            // export Name=value  or  export Name='value'
            var m = System.Text.RegularExpressions.Regex.Match(line.Trim(), @"^export (\w+)='?(.*?)'?$");
            if (m.Success) values[m.Groups[1].Value] = m.Groups[2].Value;
        }
        return values;
    }

    private static async Task CheckPostgresAsync(ServerEndpoints s)
    {
        var cs = new NpgsqlConnectionStringBuilder(s.PostgresAdmin) { Timeout = 5 };
        try
        {
            await using var c = new NpgsqlConnection(cs.ConnectionString);
            await c.OpenAsync();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            throw new InvalidOperationException(
                $"PostgreSQL at {cs.Host}:{cs.Port} refused the password of '{cs.Username}': the credentials come from scripts/services.sh env (the servers' {Environment.GetEnvironmentVariable("PIPELINE_SERVICES_DIR") ?? "/tmp/pipeline-services"}/credentials)", e);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at {cs.Host}:{cs.Port} ({e.Message}) and no Docker engine is available: {StartHint}", e);
        }
    }

    private static async Task CheckRabbitAsync(ServerEndpoints s)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(s.RabbitHost, s.RabbitPort).WaitAsync(TimeSpan.FromSeconds(5));
            using var http = Management(s);
            (await http.GetAsync("api/overview")).EnsureSuccessStatusCode();
        }
        catch (Exception e) when (e is SocketException or TimeoutException or HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not reachable at {s.RabbitHost}:{s.RabbitPort} (management :{s.RabbitManagementPort}) ({e.Message}) and no Docker engine is available: {StartHint}", e);
        }
    }

    /// <summary>An HttpClient for the RabbitMQ management API (base address .../).</summary>
    public static HttpClient Management(ServerEndpoints s)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{s.RabbitHost}:{s.RabbitManagementPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{s.RabbitUsername}:{s.RabbitPassword}")));
        return http;
    }
}
