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
/// its defaults when the env is unset). Neither reachable: every integration test FAILS saying how to start them.
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

    private static ServerEndpoints FromEnvironment()
    {
        string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
        return new ServerEndpoints(
            Env("ConnectionStrings__Pipeline", "Host=127.0.0.1;Port=5433;Username=pipeline;Password=pipeline;Database=pipeline"),
            Env("RabbitMq__Host", "127.0.0.1"),
            int.Parse(Env("RabbitMq__Port", "5672")),
            int.Parse(Env("RabbitMq__ManagementPort", "15672")),
            Env("RabbitMq__Username", "guest"),
            Env("RabbitMq__Password", "guest"),
            "scripts/services.sh servers");
    }

    private static async Task CheckPostgresAsync(ServerEndpoints s)
    {
        var cs = new NpgsqlConnectionStringBuilder(s.PostgresAdmin) { Timeout = 5 };
        try
        {
            await using var c = new NpgsqlConnection(cs.ConnectionString);
            await c.OpenAsync();
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
