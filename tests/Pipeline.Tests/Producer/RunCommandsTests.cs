using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Storage;

namespace Pipeline.Tests.Producer;

/// <summary>run submit / resume / status / list / report against a real database and a real RabbitMQ vhost.</summary>
public sealed class RunCommandsTests(FreshDatabase database, RabbitVirtualHost rabbit)
    : IClassFixture<FreshDatabase>, IClassFixture<RabbitVirtualHost>
{
    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(Cli.Config(database, rabbit), args);

    private static string Manifest(string role) => Path.Combine(RepoPaths.Root, "models", "tiny-arith", $"{role}.manifest.json");

    private async Task<string> ImportAsync(Cli.TempDir dir)
    {
        var name = $"ds{Guid.NewGuid():N}"[..12];
        var lines = new[] { 1, 1, 1, 2, 2, 3 }.Select((level, i) =>
            $"{{\"problem\": \"p{i}\", \"answer\": \"{i}\", \"level\": {level}, \"unique_id\": \"u{i}\"}}");
        var r = await Run("dataset", "import", dir.File("d.jsonl", string.Join("\n", lines)), "--format", "math", "--name", name);
        Assert.Equal(0, r.ExitCode);
        return name;
    }

    private static string Spec(string dataset, string name = "t") => $$"""
        name: {{name}}
        dataset: {{dataset}}
        problems: { levels: [1, 2], per_level: 2 }
        models:
          policy: {{Manifest("policy")}}
          prm: {{Manifest("prm")}}
        sampling: { temperature: 0.7, top_p: 0.9, max_new_tokens: 32, max_steps: 6 }
        seed: 99
        strategies:
          - { kind: best_of_n, budgets: [8] }
          - { kind: beam, beam_width: 2, budgets: [4, 8] }
        """;

    private static Guid RunIdOf(CliResult r) => Guid.Parse(r.Output.Trim().Split('\n')[^1].Trim());

    [Fact]
    public async Task Submit_creates_problems_x_configs_x_budgets_searches_and_publishes_one_message_each_then_resume_republishes_the_unfinished()
    {
        using var dir = new Cli.TempDir();
        var dataset = await ImportAsync(dir);
        await using var queue = await SearchRequestedQueue.BindAsync(rabbit);

        var r = await Run("run", "submit", dir.File("spec.yaml", Spec(dataset)));
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("4 problems x 3 strategy config(s) = 12 searches", r.Output);
        var runId = RunIdOf(r);

        var db = database.DataSource;
        Assert.Equal(12, await Seed.ScalarAsync(db, $"SELECT count(*) FROM pipeline.searches WHERE run_id = '{runId}' AND status = 'pending' AND current_round = -1"));
        Assert.Equal(4, await Seed.ScalarAsync(db, $"SELECT count(DISTINCT problem_id) FROM pipeline.searches WHERE run_id = '{runId}'"));
        Assert.Equal(4, await Seed.ScalarAsync(db, $"SELECT count(*) FROM pipeline.searches WHERE run_id = '{runId}' AND strategy_label = 'beam(M=2)' AND budget = 8 AND beam_width = 2"));
        Assert.Equal(1, await Seed.ScalarAsync(db, $"""
            SELECT count(*) FROM pipeline.runs WHERE run_id = '{runId}' AND policy_model = 'tiny-arith-policy' AND prm_model = 'tiny-arith-prm'
              AND policy_parameters > 0 AND seed = 99 AND max_steps = 6 AND abs(temperature - 0.7) < 1e-6 AND status = 'submitted'
              AND spec_json -> 'strategies' -> 1 ->> 'kind' = 'beam'
            """));

        var published = await queue.ReadAsync(12);
        Assert.Equal(12, published.Count);
        Assert.All(published, m => Assert.Equal(runId, m.RunId));
        var ids = new List<long>();
        await using (var cmd = db.CreateCommand($"SELECT search_id FROM pipeline.searches WHERE run_id = '{runId}' ORDER BY search_id"))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        Assert.Equal(ids, published.Select(m => m.SearchId).Order());

        // five searches finish; resume by id prefix republishes the other seven
        await using (var cmd = db.CreateCommand($"UPDATE pipeline.searches SET status = 'done' WHERE search_id IN ({string.Join(",", ids.Take(5))})"))
            await cmd.ExecuteNonQueryAsync();
        r = await Run("run", "resume", runId.ToString()[..8]);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("republished 7 searches", r.Output);
        var again = await queue.ReadAsync(7);
        Assert.Equal(ids.Skip(5), again.Select(m => m.SearchId).Order());

        // a failed search is reopened (and its run with it) only when asked
        await using (var cmd = db.CreateCommand($"UPDATE pipeline.searches SET status = 'failed', finished_at = now() WHERE search_id = {ids[5]}; UPDATE pipeline.runs SET status = 'done' WHERE run_id = '{runId}'"))
            await cmd.ExecuteNonQueryAsync();
        r = await Run("run", "resume", runId.ToString(), "--retry-failed");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("reopened 1 failed searches", r.Output);
        Assert.Equal(7, (await queue.ReadAsync(7)).Count);
        Assert.Equal(1, await Seed.ScalarAsync(db, $"SELECT count(*) FROM pipeline.searches WHERE search_id = {ids[5]} AND status = 'running' AND finished_at IS NULL"));
        Assert.Equal(1, await Seed.ScalarAsync(db, $"SELECT count(*) FROM pipeline.runs WHERE run_id = '{runId}' AND status = 'running'"));
    }

    [Fact]
    public async Task Status_list_and_report_show_progress_and_accuracy_by_level_and_budget()
    {
        using var dir = new Cli.TempDir();
        var dataset = await ImportAsync(dir);
        var r = await Run("run", "submit", dir.File("spec.yaml", Spec(dataset, name: "reported")), "--quiet");
        Assert.True(r.ExitCode == 0, r.Output);
        var runId = RunIdOf(r);
        Assert.Single(r.Output.Trim().Split('\n'));

        // best_of_n (N=8) searches finish: level 1 problems right at n=8, level 2 one of two
        var db = database.DataSource;
        var bon = new List<(long Id, int Level)>();
        await using (var cmd = db.CreateCommand($"""
            SELECT s.search_id, p.level FROM pipeline.searches s JOIN pipeline.problems p USING (problem_id)
            WHERE s.run_id = '{runId}' AND s.strategy_label = 'best_of_n' ORDER BY p.ordinal
            """))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) bon.Add((reader.GetInt64(0), reader.GetInt32(1)));
        Assert.Equal([1, 1, 2, 2], bon.Select(b => b.Level));
        for (var i = 0; i < bon.Count; i++)
        {
            await Seed.OutcomeAsync(db, bon[i].Id, 8, "weighted", "last", correct: i != 3, tokens: 80);
            await Seed.OutcomeAsync(db, bon[i].Id, 8, "weighted", "min", correct: false);
            await Seed.OutcomeAsync(db, bon[i].Id, 1, "weighted", "last", correct: i == 0, tokens: 10);
            await Seed.OutcomeAsync(db, bon[i].Id, 8, "pass", "none", correct: true, tokens: 80);
        }
        await using (var cmd = db.CreateCommand($"UPDATE pipeline.searches SET status = 'done', started_at = now() - interval '1 minute', finished_at = now() WHERE search_id IN ({string.Join(",", bon.Select(b => b.Id))})"))
            await cmd.ExecuteNonQueryAsync();

        r = await Run("run", "report", "reported");
        Assert.True(r.ExitCode == 0, r.Output);
        var rowN8 = Line(r.Output, "weighted/last", " 8 ");
        Assert.Contains("100.0 (2/2)", rowN8);   // level 1
        Assert.Contains("50.0 (1/2)", rowN8);    // level 2
        Assert.Contains("75.0 (3/4)", rowN8);    // all
        Assert.Contains("25.0 (1/4)", Line(r.Output, "weighted/last", " 1 "));
        Assert.Contains("100.0 (4/4)", Line(r.Output, "pass", " 8 "));
        Assert.DoesNotContain("weighted/min", r.Output);
        Assert.Contains("compute-optimal", r.Output);
        Line(r.Output, "best_of_n 100.0 vs 100.0", "best_of_n 50.0 vs 50.0");   // N=8: L1 and L2 on one row
        Line(r.Output, "best_of_n 50.0 vs 50.0", "best_of_n 0.0 vs 0.0");       // N=1
        Assert.Contains("weighted/min", (await Run("run", "report", runId.ToString(), "--step-aggregation", "min")).Output);

        r = await Run("run", "report", runId.ToString(), "--bins", "oracle");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("no difficulty bins yet", r.Output);   // the seeded searches have outcomes but no steps
        Assert.NotEqual(0, (await Run("run", "report", "--bins", "quartiles")).ExitCode);
        // every aggregator the outcomes table allows is a valid filter, hierarchical (revisions) included
        r = await Run("run", "report", runId.ToString(), "--aggregator", "hierarchical");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("no outcomes match yet", r.Output);
        r = await Run("run", "report", runId.ToString(), "--aggregator", "best");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("weighted, majority, naive, pass, hierarchical", r.Output);

        r = await Run("run", "status", runId.ToString());
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("4/4", Line(r.Output, "best_of_n"));
        Assert.Contains("0/8", Line(r.Output, "beam(M=2)"));
        Assert.Contains("4/12", Line(r.Output, "all"));
        Assert.Contains("ETA", r.Output);
        Assert.Contains("queue", r.Output);   // the management API of the test vhost answered

        r = await Run("run", "list");
        Assert.Contains("4/12", Line(r.Output, runId.ToString()));
    }

    [Fact]
    public async Task Status_watch_redraws_until_every_search_is_finished()
    {
        using var dir = new Cli.TempDir();
        var dataset = await ImportAsync(dir);
        var r = await Run("run", "submit", dir.File("spec.yaml", Spec(dataset, name: "watched")), "--quiet");
        var runId = RunIdOf(r);

        var watch = Run("run", "status", runId.ToString(), "--watch", "--interval", "0.2");
        await Task.Delay(1000);
        Assert.False(watch.IsCompleted, "--watch returned while searches were pending");
        await using (var cmd = database.DataSource.CreateCommand(
            $"UPDATE pipeline.searches SET status = CASE WHEN search_id % 2 = 0 THEN 'done' ELSE 'failed' END, started_at = now(), finished_at = now() WHERE run_id = '{runId}'"))
            await cmd.ExecuteNonQueryAsync();
        r = await watch.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("finished", r.Output);
        Assert.Contains("0%", Line(r.Output, "│ all"));   // the first frame
        Assert.Contains("100%", r.Output.Split('\n').Last(l => l.Contains("│ all")));   // the last one
    }

    [Fact]
    public async Task Submit_with_the_broker_unreachable_fails_within_seconds_in_one_line_and_writes_nothing()
    {
        using var dir = new Cli.TempDir();
        var dataset = await ImportAsync(dir);
        var config = Cli.Config(database, rabbit);
        config["RabbitMq:Port"] = ClosedPort().ToString();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await Cli.RunAsync(config, "run", "submit", dir.File("spec.yaml", Spec(dataset, name: "unpublished")), "--quiet");
        // a closed port is refused in milliseconds; the bound leaves room for a loaded 2-core machine
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(1, r.ExitCode);
        var output = Assert.Single(r.Output.Trim().Split('\n'));
        Assert.StartsWith("error: RabbitMQ at ", output);
        Assert.Contains($":{config["RabbitMq:Port"]} is not reachable", output);
        Assert.Contains("nothing was written", output);
        Assert.DoesNotContain("   at ", r.Output);   // no stack trace
        Assert.DoesNotContain("Exception", r.Output);
        Assert.Equal(0, await Seed.ScalarAsync(database.DataSource, "SELECT count(*) FROM pipeline.runs WHERE name = 'unpublished'"));
    }

    /// <summary>A loopback port nobody listens on: bound by the OS for us, then released.</summary>
    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Submit_refuses_a_manifest_whose_onnx_file_is_missing_naming_manifest_line_and_field()
    {
        using var dir = new Cli.TempDir();
        var dataset = await ImportAsync(dir);
        // the bundled PRM manifest copied where its relative files are not
        var manifest = dir.File("prm.manifest.json", File.ReadAllText(Manifest("prm")));
        var spec = dir.File("spec.yaml", Spec(dataset, name: "no-onnx").Replace(Manifest("prm"), manifest));
        var r = await Run("run", "submit", spec);
        Assert.Equal(2, r.ExitCode);
        var onnxLine = File.ReadAllLines(manifest).ToList().FindIndex(l => l.Contains("\"onnx\"")) + 1;
        Assert.Contains($"error: {manifest}:{onnxLine}: field 'onnx': {Path.Combine(dir.Path, "prm.onnx")}: file not found", r.Output);
        Assert.Equal(0, await Seed.ScalarAsync(database.DataSource, "SELECT count(*) FROM pipeline.runs WHERE name = 'no-onnx'"));
    }

    [Fact]
    public async Task Submit_refuses_an_unknown_dataset_and_a_missing_manifest_before_writing_anything()
    {
        using var dir = new Cli.TempDir();
        var r = await Run("run", "submit", dir.File("spec.yaml", Spec("no-such-dataset", name: "refused")));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("field 'dataset': no dataset named 'no-such-dataset'", r.Output);

        var spec = dir.File("spec2.yaml", Spec("whatever", name: "refused").Replace(Manifest("prm"), "missing/prm.manifest.json"));
        r = await Run("run", "submit", spec);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("spec2.yaml:6: field 'models.prm': manifest 'missing/prm.manifest.json' not found", r.Output);
        Assert.Equal(0, await Seed.ScalarAsync(database.DataSource, "SELECT count(*) FROM pipeline.runs WHERE name = 'refused'"));
    }

    private static string Line(string output, params string[] parts) =>
        output.Split('\n').FirstOrDefault(l => parts.All(l.Contains)) ?? throw new Xunit.Sdk.XunitException($"no line with {string.Join(" + ", parts)} in:\n{output}");
}
