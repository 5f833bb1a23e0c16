using Pipeline.Contracts;

namespace Pipeline.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class PipelineRunTests(PipelineRunFixture run) : IClassFixture<PipelineRunFixture>
{
    // per budget: pass and majority once, weighted and naive under last/min/prod/mean
    private const int RowsPerBudget = 2 + 2 * 4;

    private static readonly Dictionary<string, int> OutcomesPerSearch = new()
    {
        [PipelineRunFixture.BestOfN] = 3 * RowsPerBudget, // nested budgets 1, 2, 4
        [PipelineRunFixture.Beam] = RowsPerBudget,        // budget 4 only
    };

    [Fact]
    public async Task Every_search_finishes_once_with_exactly_the_rows_its_rounds_and_samples_imply()
    {
        await RunChecks.AssertCompleteAsync(run.Db, run.RunId, OutcomesPerSearch);

        Assert.Equal(2L * TinyRun.ProblemCount, await RunChecks.ScalarAsync<long>(run.Db,
            "SELECT count(*) FROM pipeline.searches WHERE run_id = @r", run.RunId));
        // best-of-4: one round of 4 whole solutions
        Assert.Equal(["1|4"], (await RunChecks.RowsAsync(run.Db, """
            SELECT DISTINCT (SELECT count(*) FROM pipeline.search_rounds q WHERE q.search_id = s.search_id) || '|' ||
                            (SELECT sum(candidates) FROM pipeline.search_rounds q WHERE q.search_id = s.search_id)
            FROM pipeline.searches s WHERE s.run_id = @r AND s.strategy = 'best_of_n'
            """, run.RunId)));
        // beam N=4 M=2: 4 first steps, then at most N/M=2 beams x M=2 children per round, at most max_rounds rounds
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(run.Db, """
            SELECT count(*) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND s.strategy = 'beam' AND (q.round >= 4 OR (q.round = 0 AND q.candidates <> 4) OR q.candidates > 4)
            """, run.RunId));
        // beam rounds after the first extend only nodes of the round before
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(run.Db, """
            SELECT count(*) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id)
            JOIN pipeline.steps p ON p.search_id = t.search_id AND p.node_id = t.parent_node_id
            WHERE s.run_id = @r AND s.strategy = 'beam' AND t.step_index = 0 AND p.round <> t.round - 1
            """, run.RunId));
    }

    [Fact]
    public async Task Duplicated_RoundScored_and_SearchRequested_change_nothing()
    {
        var before = await RunChecks.DigestAsync(run.Db, run.RunId);
        var rounds = run.Recorder.Consumed.Where(m => m.Request.RunId == run.RunId).ToList();
        Assert.NotEmpty(rounds);
        var consumedBefore = run.Recorder.Count;

        foreach (var m in rounds) await run.AggregatorBus.Publish(m);
        var searchIds = rounds.Select(m => m.Request.SearchId).Distinct().ToList();
        foreach (var id in searchIds) await run.AggregatorBus.Publish(new SearchRequested(run.RunId, id));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (run.Recorder.Count < consumedBefore + rounds.Count && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(consumedBefore + rounds.Count, run.Recorder.Count);
        await Task.Delay(1000); // SearchRequested and anything a wrong republish would set off
        Assert.Equal(before, await RunChecks.DigestAsync(run.Db, run.RunId));
        Assert.Equal(0u, await run.Servers.QueueDepthAsync("round-scored_error"));
    }

    [Fact]
    public async Task Run_report_out_writes_charts_csvs_and_an_html_page_that_renders_in_chromium()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"pipeline-report-{run.RunId:N}");
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        var output = await ServiceHosts.CliAsync(ServiceHosts.Configuration(run.Servers), "run", "report", run.RunId.ToString(), "--out", dir);
        Assert.Contains("best_of_n", output); // the tables still print
        Assert.Contains("report.html", output);

        var pngs = Directory.GetFiles(dir, "*.png");
        Assert.Contains(Path.Combine(dir, "accuracy_vs_budget.png"), pngs);
        Assert.Contains(Path.Combine(dir, "accuracy_by_level.png"), pngs);
        Assert.All(pngs, p => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(p)[..4]));
        foreach (var csv in new[] { "run", "accuracy_overall", "accuracy_by_level", "accuracy_by_difficulty", "compute_optimal_cv", "problem_difficulty" })
            Assert.True(File.Exists(Path.Combine(dir, csv + ".csv")), $"{csv}.csv missing");
        // every problem of the run has its difficulty row (header + ProblemCount lines)
        Assert.Equal(1 + TinyRun.ProblemCount, File.ReadAllLines(Path.Combine(dir, "problem_difficulty.csv")).Length);
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.DoesNotContain("src=\"http", html);
        Assert.Contains(run.RunId.ToString(), html);
        Assert.Contains("tiny-arith-policy", html);

        var page = await Pipeline.Tests.Reports.ReportInBrowser.CheckAsync(Path.Combine(dir, "report.html"));
        Assert.Equal(pngs.Length, page.Images);
        Assert.Empty(page.BrokenImages);
        Assert.Empty(page.Problems);
        Assert.True(page.Tables >= 4, $"{page.Tables} tables in the page");
        Assert.True(new FileInfo(page.Screenshot).Length > 10_000, "screenshot is (nearly) empty");
    }

    [Fact]
    public async Task Malformed_messages_land_in_the_error_queue_while_the_run_completes()
    {
        Assert.Equal(2u, await run.Servers.QueueDepthAsync("expand-round_error"));
        Assert.Equal(0u, await run.Servers.QueueDepthAsync("score-round_error"));
        Assert.Equal("done", await RunChecks.ScalarAsync<string>(run.Db, "SELECT status FROM pipeline.runs WHERE run_id = @r", run.RunId));
    }

    [Fact]
    public async Task Analysis_sql_agrees_with_the_csharp_math_on_the_real_run_and_a_later_run_takes_its_difficulty()
    {
        // the real run's weighted best-of-N curves per oracle bin, through the SQL functions and through ComputeMath
        var curves = new List<(int Bin, double[] Budgets, double[] Accuracies)>();
        await using (var cmd = run.Db.CreateCommand("""
            SELECT bin, array_agg(budget_n::float8 ORDER BY budget_n), array_agg(accuracy ORDER BY budget_n)
            FROM pipeline.accuracy_by_difficulty
            WHERE run_id = @r AND bin_kind = 'oracle' AND strategy_label = 'best_of_n' AND aggregator = 'weighted' AND step_aggregation = 'last'
            GROUP BY bin ORDER BY bin
            """))
        {
            cmd.Parameters.AddWithValue("r", run.RunId);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) curves.Add((r.GetInt32(0), r.GetFieldValue<double[]>(1), r.GetFieldValue<double[]>(2)));
        }
        Assert.NotEmpty(curves);
        foreach (var (bin, budgets, accuracies) in curves)
        {
            Assert.Equal([1.0, 2.0, 4.0], budgets);
            var curve = budgets.Zip(accuracies, (b, a) => new Pipeline.Search.Analysis.CurvePoint(b, a)).ToList();
            foreach (var x in new[] { 0.0, 0.3, 0.5, 0.9, 1.0, 1.5, 3.0, 4.0 })
            {
                await using var cmd = run.Db.CreateCommand("SELECT pipeline.log_budget_interpolate(@b, @a, @x), pipeline.accuracy_at_budget(@b, @a, @x + 1)");
                cmd.Parameters.AddWithValue("b", budgets);
                cmd.Parameters.AddWithValue("a", accuracies);
                cmd.Parameters.AddWithValue("x", x);
                await using var r = await cmd.ExecuteReaderAsync();
                Assert.True(await r.ReadAsync());
                var budget = Pipeline.Search.Analysis.ComputeMath.BudgetToReach(curve, x).Budget;
                Assert.Equal(budget.HasValue, !r.IsDBNull(0));
                if (budget is { } b) Assert.Equal(b, r.GetDouble(0), 12);
                var accuracy = Pipeline.Search.Analysis.ComputeMath.AccuracyAtBudget(curve, x + 1);
                Assert.Equal(accuracy.HasValue, !r.IsDBNull(1));
                if (accuracy is { } a) Assert.Equal(a, r.GetDouble(1), 12);
            }
        }

        // a later beam-only run on the same dataset and policy reuses this run's difficulty
        var spec = TinyRun.WriteSpec(run.Folder, "e2e-later", false, "{ kind: beam, beam_width: 2, budgets: [2], max_rounds: 4 }");
        File.AppendAllText(spec, $"\ndifficulty_from: {run.RunId}\n");
        var later = Guid.Parse((await ServiceHosts.CliAsync(run.Config, "run", "submit", spec)).Trim().Split('\n')[^1].Trim());
        await RunChecks.WaitForRunAsync(run.Db, later, TimeSpan.FromSeconds(120));
        var bins = await RunChecks.RowsAsync(run.Db,
            "SELECT problem_id || ':' || oracle_bin || ':' || pass_at_1 || ':' || difficulty_run_id FROM pipeline.problem_difficulty WHERE run_id = @r ORDER BY problem_id", later);
        var source = await RunChecks.RowsAsync(run.Db,
            "SELECT problem_id || ':' || oracle_bin || ':' || pass_at_1 || ':' || run_id FROM pipeline.problem_difficulty WHERE run_id = @r ORDER BY problem_id", run.RunId);
        Assert.Equal(TinyRun.ProblemCount, bins.Count);
        Assert.Equal(source, bins);
        Assert.True(await RunChecks.ScalarAsync<long>(run.Db, "SELECT count(*) FROM pipeline.accuracy_by_difficulty WHERE run_id = @r", later) > 0);

        // a run that does not exist is refused with the spec's line
        var bad = TinyRun.WriteSpec(run.Folder, "e2e-bad", false, "{ kind: beam, beam_width: 2, budgets: [2] }");
        File.AppendAllText(bad, "\ndifficulty_from: no-such-run\n");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceHosts.CliAsync(run.Config, "run", "submit", bad));
        Assert.Contains("field 'difficulty_from'", e.Message);
        Assert.Contains("no run matches 'no-such-run'", e.Message);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end-to-end";
}
