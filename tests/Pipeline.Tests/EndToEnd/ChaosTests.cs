using System.Diagnostics;
using Pipeline.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.Tests.EndToEnd;

/// <summary>
/// Issue 15 item 5: the three services as real OS processes on the synthetic backend (deterministic steps with a
/// latency per batch, so a run lasts long enough to be broken), one run undisturbed and the same spec again while
/// each service is killed with SIGKILL once mid-run and restarted, and the broker is restarted: the broken run has a
/// RabbitMQ node of its own (<see cref="PrivateBroker"/>, a second scripts/services.sh instance), stopped and started
/// mid-run, so the broker others share stays up. Where no such node can be started (servers from Docker, no
/// rabbitmq-server) it falls back to dropping every connection of the run's virtual host on the shared broker, what
/// a restart does to the clients, and says so in the test output. The broken run must leave exactly the rows of the
/// undisturbed one (scripts/dump-run-rows.sh).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private static readonly string[] Strategies =
    [
        "{ kind: best_of_n, budgets: [8] }",
        "{ kind: beam, beam_width: 2, budgets: [8], max_rounds: 6 }",
        "{ kind: revisions, chain_length: 4, budgets: [8] }",
    ];

    private const string RoundsSql =
        "SELECT count(*) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id) WHERE s.run_id = @r";

    [Fact]
    public async Task Killing_each_service_and_restarting_the_broker_mid_run_leaves_exactly_the_rows_of_an_undisturbed_run()
    {
        // the broken run's own broker node starts while the undisturbed run goes (its rows do not depend on timing)
        var starting = StartBrokerAsync();
        List<string> calm;
        long calmRounds;
        try
        {
            (calm, calmRounds) = await RunAsync(chaos: null, broker: null);
        }
        catch
        {
            if (await starting is { } unused) await unused.DisposeAsync();
            throw;
        }
        await using var broker = await starting;
        Assert.True(calmRounds >= 20, $"expected a run of many rounds, got {calmRounds}");

        // break the run at fractions of its rounds, so every blow lands mid-run whatever this machine's speed
        var (broken, _) = await RunAsync(chaos: calmRounds, broker);
        Assert.True(calm.Count > 100, $"expected many rows, got {calm.Count}");
        var diff = calm.Zip(broken).Select((p, i) => (p.First, p.Second, i)).FirstOrDefault(p => p.First != p.Second);
        Assert.True(calm.Count == broken.Count && diff.First is null,
            $"rows differ: {calm.Count} vs {broken.Count} lines; first difference at line {diff.i}:\n  undisturbed: {diff.First}\n  broken:      {diff.Second}");
    }

    /// <param name="broker">The broker node to run on and restart; null: the shared broker (and, under chaos, dropped connections).</param>
    private async Task<(List<string> Rows, long Rounds)> RunAsync(long? chaos, PrivateBroker? broker)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Inference:Backend"] = "synthetic",
            ["Inference:Synthetic:StepsPerSolution"] = "5",
            ["Inference:Synthetic:TokensPerStep"] = "20",
            ["Inference:Synthetic:ProposalLatencyMs"] = "300",
            ["Inference:Synthetic:VerifierLatencyMs"] = "200",
            // a round lost with a killed process is asked again soon
            ["Aggregator:RoundTimeoutSeconds"] = "8",
            ["Aggregator:RecoveryIntervalSeconds"] = "1",
            ["Logging:LogLevel:Default"] = "Information",
        };
        foreach (var (k, v) in broker?.Configuration ?? new Dictionary<string, string?>()) settings[k] = v;
        await using var h = await RunHarness.StartAsync(settings);
        Func<string, Task<uint>> consumers = broker is null ? h.Servers.QueueConsumersAsync : broker.QueueConsumersAsync;
        Func<string, Task<uint>> depth = broker is null ? h.Servers.QueueDepthAsync : broker.QueueDepthAsync;
        var services = new[]
        {
            new ServiceProcess("Aggregator", "aggregator", h.Config, h.Folder),
            new ServiceProcess("ProposalWorker", "proposal-worker", h.Config, h.Folder),
            new ServiceProcess("VerifierWorker", "verifier-worker", h.Config, h.Folder),
        };
        try
        {
            foreach (var s in services) s.Start();
            await WaitForConsumersAsync(consumers, services);
            var runId = await h.SubmitAsync("chaos", true, Strategies);
            string Logs() => string.Join("\n", services.Select(s => $"--- {s.Name} (started {s.Starts}x):\n{s.LogTail()}"));

            if (chaos is { } total)
            {
                // proposal worker, verifier worker, Aggregator, then the broker, each at its share of the rounds
                var blows = new Func<Task>[]
                {
                    () => RestartAsync(consumers, services, services[1]),
                    () => RestartAsync(consumers, services, services[2]),
                    () => RestartAsync(consumers, services, services[0]),
                    async () =>
                    {
                        if (broker is null)
                        {
                            Assert.True(await h.Servers.DropConnectionsAsync(3) >= 3, "expected the three services' connections");
                            return;
                        }
                        var stored = await RunChecks.ScalarAsync<long>(h.Db, RoundsSql, runId);
                        var away = await broker.RestartAsync();
                        output.WriteLine($"broker node on :{broker.Port} stopped and started again in {away.TotalSeconds:F1} s, at {stored} of {total} rounds");
                    },
                };
                for (var i = 0; i < blows.Length; i++)
                {
                    var at = total * (i + 1) / (blows.Length + 2);
                    var deadline = DateTime.UtcNow.AddSeconds(60);
                    while (await RunChecks.ScalarAsync<long>(h.Db, RoundsSql, runId) < at)
                    {
                        if (DateTime.UtcNow > deadline) Assert.Fail($"run stuck below {at} stored rounds before blow {i}:\n{Logs()}");
                        await Task.Delay(50);
                    }
                    Assert.NotEqual("done", await RunChecks.ScalarAsync<string>(h.Db, "SELECT status FROM pipeline.runs WHERE run_id = @r", runId));
                    await blows[i]();
                }
            }

            await RunChecks.WaitForRunAsync(h.Db, runId, TimeSpan.FromSeconds(90), () => Task.FromResult(Logs()));
            Assert.All(services, s => Assert.Equal(chaos is null ? 1 : 2, s.Starts));
            Assert.Equal(0u, await depth("round-scored_error"));
            return (await DumpAsync(h.Servers), await RunChecks.ScalarAsync<long>(h.Db, RoundsSql, runId));
        }
        finally
        {
            foreach (var s in services) await s.DisposeAsync();
        }
    }

    private async Task<PrivateBroker?> StartBrokerAsync()
    {
        var watch = Stopwatch.StartNew();
        var broker = await PrivateBroker.TryStartAsync(await TestServers.GetAsync());
        output.WriteLine(broker is null
            ? "no RabbitMQ node of the test's own (servers from Docker, or no rabbitmq-server): the broker restart is simulated by dropping the vhost's connections"
            : $"own RabbitMQ node on :{broker.Port} started in {watch.Elapsed.TotalSeconds:F1} s");
        return broker;
    }

    private static async Task RestartAsync(Func<string, Task<uint>> consumers, ServiceProcess[] all, ServiceProcess victim)
    {
        await victim.KillAsync();
        victim.Start();
        await WaitForConsumersAsync(consumers, all);
    }

    private static async Task WaitForConsumersAsync(Func<string, Task<uint>> consumers, ServiceProcess[] services)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var q in new[] { "search-requested", "round-scored", "expand-round", "score-round" })
        {
            while (await consumers(q) == 0)
            {
                var dead = services.FirstOrDefault(s => s.Exited);
                if (dead is not null) Assert.Fail($"{dead.Name} exited:\n{dead.LogTail()}");
                if (DateTime.UtcNow > deadline) Assert.Fail($"queue {q} has no consumer after 60 s");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The run's rows in a stable order without ids and timestamps: scripts/dump-run-rows.sh.</summary>
    private static async Task<List<string>> DumpAsync(E2eServers servers)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "dump-run-rows.sh"), servers.DatabaseName])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ConnectionStrings__Pipeline"] = servers.Connection;
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"dump-run-rows.sh exited {p.ExitCode}: {await error}");
        return [.. (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
