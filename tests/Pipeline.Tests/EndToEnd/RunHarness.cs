using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Pipeline.Tests.EndToEnd;

/// <summary>Servers, a migrated database with the tiny dataset, and start/stop of service hosts, for the
/// end-to-end tests that drive a run themselves.</summary>
internal sealed class RunHarness : IAsyncDisposable
{
    private readonly List<IHost> _running = [];

    public required E2eServers Servers { get; init; }
    public required NpgsqlDataSource Db { get; init; }
    public required Dictionary<string, string?> Config { get; init; }
    public required string Folder { get; init; }

    public static async Task<RunHarness> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var servers = await E2eServers.StartAsync();
        var harness = new RunHarness
        {
            Servers = servers,
            Db = servers.DataSource(),
            Config = ServiceHosts.Configuration(servers, extra),
            Folder = Directory.CreateTempSubdirectory("e2e-run-").FullName,
        };
        await ServiceHosts.CliAsync(harness.Config, "dataset", "import", TinyRun.WriteDataset(harness.Folder), "--format", "math", "--name", "e2e-arith");
        return harness;
    }

    public async Task<IHost> StartAsync(Func<IDictionary<string, string?>, IHost> build)
    {
        var host = build(Config);
        await host.StartAsync();
        _running.Add(host);
        return host;
    }

    public async Task StopAsync(IHost host)
    {
        await host.StopAsync();
        host.Dispose();
        _running.Remove(host);
    }

    public Task<Guid> SubmitAsync(string name, bool withRevision, params string[] strategies) =>
        SubmitAsync(name, withRevision, 48, strategies);

    public async Task<Guid> SubmitAsync(string name, bool withRevision, int maxNewTokens, params string[] strategies)
    {
        var spec = TinyRun.WriteSpec(Folder, name, withRevision, maxNewTokens, strategies);
        var output = await ServiceHosts.CliAsync(Config, "run", "submit", spec);
        return Guid.Parse(output.Trim().Split('\n')[^1].Trim());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var h in Enumerable.Reverse(_running).ToList()) await StopAsync(h);
        await Db.DisposeAsync();
        await Servers.DisposeAsync();
        Directory.Delete(Folder, true);
    }
}
