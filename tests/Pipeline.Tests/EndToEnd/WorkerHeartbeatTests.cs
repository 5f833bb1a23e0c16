using Pipeline.ServiceDefaults;
using Pipeline.Tests.Producer;

namespace Pipeline.Tests.EndToEnd;

/// <summary>Workers announce what they serve (WorkerHeartbeat), the Aggregator keeps it in table workers, and the CLI
/// reads it: run submit warns (or refuses with --require-workers) about a model no alive worker serves and stays
/// quiet when one does; run status lists the workers serving the run's models.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class WorkerHeartbeatTests
{
    private static readonly string Policy = Path.GetFullPath(RepoPaths.TinyModel("policy.manifest.json"));
    private static readonly string Prm = Path.GetFullPath(RepoPaths.TinyModel("prm.manifest.json"));
    private static readonly string Revision = Path.GetFullPath(RepoPaths.TinyModel("revision.manifest.json"));

    [Fact]
    public async Task Heartbeats_land_in_workers_and_submit_warns_only_for_models_no_alive_worker_serves()
    {
        await using var h = await RunHarness.StartAsync(new Dictionary<string, string?> { ["WorkerHeartbeat:IntervalSeconds"] = "2" });
        var spec = TinyRun.WriteSpec(h.Folder, "served", true, "{ kind: best_of_n, budgets: [2] }");

        // nothing announced yet: every model of the run is named, and --require-workers writes nothing
        var before = await Cli.RunAsync(h.Config, "run", "submit", spec, "--dry-run");
        Assert.Equal(0, before.ExitCode);
        Assert.Contains("warning: no alive worker serves policy 'tiny-arith-policy' (no worker ever announced it), " +
            "prm 'tiny-arith-prm' (no worker ever announced it), revision 'tiny-arith-revision' (no worker ever announced it); a run submitted now would wait",
            Flat(before.Output));
        var refused = await Cli.RunAsync(h.Config, "run", "submit", spec, "--require-workers");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("nothing was written (--require-workers)", Flat(refused.Output));
        Assert.Equal(0L, await Scalar<long>(h, "SELECT count(*) FROM pipeline.runs"));

        await h.StartAsync(ServiceHosts.Aggregator);
        await h.StartAsync(ServiceHosts.ProposalWorker);
        var verifier = await h.StartAsync(ServiceHosts.VerifierWorker);
        await WaitAsync(h, "SELECT count(*) FROM pipeline.workers_alive", 3);

        var rows = await Rows(h, """
            SELECT worker_id || '|' || role || '|' || model_slot || '|' || model || '|' || manifest_path || '|' || device || '|' || interval_seconds
            FROM pipeline.workers ORDER BY model
            """);
        var id = WorkerIdentity.Name;
        Assert.Equal([
            $"{id}|proposal|policy|tiny-arith-policy|{Policy}|cpu|2",
            $"{id}|verifier|prm|tiny-arith-prm|{Prm}|cpu|2",
            $"{id}|proposal|revision|tiny-arith-revision|{Revision}|cpu|2",
        ], rows);
        // heartbeats keep coming: every row's last_seen_at moves past the latest one seen now
        var seen = await Scalar<DateTime>(h, "SELECT max(last_seen_at) FROM pipeline.workers");
        await WaitAsync(h, $"SELECT count(*) FROM pipeline.workers WHERE last_seen_at > '{seen:O}'", 3);

        var served = await Cli.RunAsync(h.Config, "run", "submit", spec, "--require-workers");
        Assert.Equal(0, served.ExitCode);
        Assert.DoesNotContain("warning", served.Output);
        var runId = Guid.Parse(served.Output.Trim().Split('\n')[^1].Trim());

        var status = Flat((await Cli.RunAsync(h.Config, "run", "status", runId.ToString())).Output);
        Assert.Contains("worker", status);
        Assert.Contains($"{id} │ proposal │ policy tiny-arith-policy", status);
        Assert.Contains($"{id} │ verifier │ prm tiny-arith-prm", status);
        Assert.DoesNotContain("no alive worker serves", status);

        // a policy no worker serves, while a proposal worker serving another one is alive: that worker would take the
        // run's rounds from the shared queue and fault them, and submit says so instead of "they wait in the queues"
        var largeSpec = Path.Combine(h.Folder, "large.yaml");
        File.WriteAllText(largeSpec, File.ReadAllText(spec).Replace("policy.manifest.json", "policy-large.manifest.json"));
        var bounced = Flat((await Cli.RunAsync(h.Config, "run", "submit", largeSpec, "--dry-run")).Output);
        Assert.Contains("no alive worker serves policy 'tiny-arith-policy-large' (no worker ever announced it)", bounced);
        Assert.Contains($"the alive proposal workers ({id}) serve other models only", bounced);
        Assert.Contains("'pipeline errors requeue --run RUN'", bounced);
        Assert.DoesNotContain("would wait in the queues", bounced);

        // a worker stopped cleanly says so in its last heartbeat: dead at once, and submit warns about its model only
        await h.StopAsync(verifier);
        await WaitAsync(h, "SELECT count(*) FROM pipeline.workers WHERE role = 'verifier' AND interval_seconds = 0", 1);
        Assert.Equal(2L, await Scalar<long>(h, "SELECT count(*) FROM pipeline.workers_alive"));
        var warned = await Cli.RunAsync(h.Config, "run", "submit", spec);
        Assert.Equal(0, warned.ExitCode);
        Assert.Contains($"warning: no alive worker serves prm 'tiny-arith-prm' (last heartbeat ", Flat(warned.Output));
        Assert.DoesNotContain("policy 'tiny-arith-policy' (", warned.Output);
        var waiting = Guid.Parse(warned.Output.Trim().Split('\n')[^1].Trim());   // submitted anyway
        Assert.Equal(2L, await Scalar<long>(h, "SELECT count(*) FROM pipeline.runs"));

        // the second run, not the first: the first may have finished before the verifier stopped, and a finished
        // run's status names no unserved model; the second cannot finish without a verifier
        status = Flat((await Cli.RunAsync(h.Config, "run", "status", waiting.ToString())).Output);
        Assert.Contains("no alive worker serves prm 'tiny-arith-prm'", status);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(id)} │ verifier │ prm tiny-arith-prm +│ cpu +│ \d+s ago +│ no", status);
    }

    /// <summary>Spectre wraps long lines at the console width: join them back for substring checks.</summary>
    private static string Flat(string output) => output.Replace("\r", "").Replace("\n", "");

    private static async Task<T> Scalar<T>(RunHarness h, string sql)
    {
        await using var cmd = h.Db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> Rows(RunHarness h, string sql)
    {
        await using var cmd = h.Db.CreateCommand(sql);
        var rows = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add(r.GetString(0));
        return rows;
    }

    private static async Task WaitAsync(RunHarness h, string countSql, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await Scalar<long>(h, countSql) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{countSql}' did not reach {expected} within 30 s");
            await Task.Delay(100);
        }
    }
}
