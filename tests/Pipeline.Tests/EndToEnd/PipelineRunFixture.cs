using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.Contracts;

namespace Pipeline.Tests.EndToEnd;

/// <summary>
/// One small run through every service on real RabbitMQ + PostgreSQL + the tiny ONNX models: 3 problems x
/// (best-of-4, beam N=4 M=2), with two proposal and two verifier workers. Two malformed messages are put on the proposal queue before the run starts.
/// The tests of <see cref="PipelineRunTests"/> read what it left behind.
/// </summary>
public sealed class PipelineRunFixture : IAsyncLifetime
{
    public const string BestOfN = "best_of_n";
    public const string Beam = "beam(M=2)";

    private readonly List<IHost> _hosts = [];
    private string _folder = "";

    public E2eServers Servers { get; private set; } = null!;
    public NpgsqlDataSource Db { get; private set; } = null!;
    public Guid RunId { get; private set; }
    /// <summary>The CLI configuration the run was submitted with, and the folder its dataset and spec are in.</summary>
    public IDictionary<string, string?> Config { get; private set; } = null!;
    public string Folder => _folder;
    internal RoundScoredRecorder Recorder { get; } = new();
    public IBus AggregatorBus => _hosts[0].Services.GetRequiredService<IBus>();

    public async Task InitializeAsync()
    {
        Servers = await E2eServers.StartAsync();
        Db = Servers.DataSource();
        _folder = Directory.CreateTempSubdirectory("e2e-run-").FullName;
        var config = ServiceHosts.Configuration(Servers);
        Config = config;

        await ServiceHosts.CliAsync(config, "dataset", "import", TinyRun.WriteDataset(_folder), "--format", "math", "--name", "e2e-arith");

        _hosts.Add(ServiceHosts.Aggregator(config));
        // two of each worker: competing consumers on the same queues must not duplicate or lose a round
        _hosts.Add(ServiceHosts.ProposalWorker(config));
        _hosts.Add(ServiceHosts.ProposalWorker(config));
        _hosts.Add(ServiceHosts.VerifierWorker(config));
        _hosts.Add(ServiceHosts.VerifierWorker(config));
        foreach (var h in _hosts) await h.StartAsync();
        AggregatorBus.ConnectConsumeMessageObserver(Recorder);

        // a body no serializer can read, and a well-formed round for a model no worker serves
        await Servers.PublishRawAsync("expand-round", "{ this is not json", "application/vnd.masstransit+json");
        await AggregatorBus.Publish(new ExpandRound(Guid.NewGuid(), 999_999, 0, "no-such-model", "tiny-arith-prm", "Compute $1+1$.",
            GenerationMode.Step, new SamplingSettings(1, 1, 8, 4), 0, [new ExpansionRequest(0, null, [], 2, 1)]));

        var spec = TinyRun.WriteSpec(_folder, "e2e", false, "{ kind: best_of_n, budgets: [4] }", "{ kind: beam, beam_width: 2, budgets: [4], max_rounds: 4 }");
        var output = await ServiceHosts.CliAsync(config, "run", "submit", spec);
        RunId = Guid.Parse(output.Trim().Split('\n')[^1].Trim());
        await RunChecks.WaitForRunAsync(Db, RunId, TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        foreach (var h in Enumerable.Reverse(_hosts))
        {
            await h.StopAsync();
            h.Dispose();
        }
        if (Db is not null) await Db.DisposeAsync();
        if (Servers is not null) await Servers.DisposeAsync();
        if (_folder.Length > 0) Directory.Delete(_folder, true);
    }
}
