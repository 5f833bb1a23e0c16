using Npgsql;
using Pipeline.Contracts;
using Pipeline.Search.Analysis;
using Pipeline.Storage;
using Pipeline.Storage.Queries;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Storage;

/// <summary>The issue-14 analysis in SQL (functions and views) against the same math in C#
/// (<see cref="ComputeMath"/>), on small seeded tables.</summary>
public sealed class AnalysisViewTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    private static readonly CurvePoint[] Curve = [new(1, 0.2), new(2, 0.4), new(4, 0.5), new(8, 0.7)];

    [Fact]
    public async Task Sql_curve_functions_and_the_multiplier_agree_with_the_csharp_math_on_a_fixture_table()
    {
        var db = database.DataSource;
        await using var c = await db.OpenConnectionAsync();
        // the fixture: a curve table and a grid of targets, budgets and R values, all in the database
        await Exec(c, """
            CREATE TEMP TABLE curve (budget float8, accuracy float8);
            INSERT INTO curve VALUES (1, 0.2), (2, 0.4), (4, 0.5), (8, 0.7);
            CREATE TEMP TABLE probes AS SELECT g / 100.0 AS x FROM generate_series(0, 900, 7) g;
            """);
        var sql = new List<(double X, double? Budget, double? Accuracy)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT p.x,
                   pipeline.log_budget_interpolate(c.budgets, c.accuracies, p.x / 10.0),
                   pipeline.accuracy_at_budget(c.budgets, c.accuracies, p.x)
            FROM probes p,
                 (SELECT array_agg(budget ORDER BY budget) AS budgets, array_agg(accuracy ORDER BY budget) AS accuracies FROM curve) c
            ORDER BY p.x
            """, c))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
                sql.Add((r.GetDouble(0), r.IsDBNull(1) ? null : r.GetDouble(1), r.IsDBNull(2) ? null : r.GetDouble(2)));
        Assert.True(sql.Count > 100);
        foreach (var (x, budget, accuracy) in sql)
        {
            AssertClose(ComputeMath.BudgetToReach(Curve, x / 10.0).Budget, budget, $"budget to reach {x / 10.0}");
            AssertClose(ComputeMath.AccuracyAtBudget(Curve, x), accuracy, $"accuracy at {x}");
        }
        // hand-computed points, in SQL alone
        Assert.Equal(4 * Math.Sqrt(2), await Scalar(c, "SELECT pipeline.log_budget_interpolate('{1,2,4,8}', '{0.2,0.4,0.5,0.7}', 0.6)"), 12);
        Assert.Equal(0.45, await Scalar(c, "SELECT pipeline.accuracy_at_budget('{1,2,4,8}', '{0.2,0.4,0.5,0.7}', 2 * sqrt(2))"), 12);

        foreach (var (m, p, ratio) in new[] { (14.0, 1.0, 0.16), (14, 1, 0.79), (14, 1, 22), (2, 2, 1), (3.5, 0.8, 5) })
            Assert.Equal(ComputeMath.FlopsMatchedMultiplier(m, p, ratio),
                await Scalar(c, $"SELECT pipeline.flops_matched_multiplier({m}, {p}, {ratio})"), 10);
        Assert.Equal(257.75, await Scalar(c, "SELECT pipeline.flops_matched_multiplier(14, 1, 0.16)"), 10);

        var e = await Assert.ThrowsAsync<PostgresException>(() => Scalar(c, "SELECT pipeline.log_budget_interpolate('{2,2}', '{0.1,0.2}', 0.1)"));
        Assert.Contains("budget curve point 1: budget 2 must be above the previous 2", e.MessageText);
        e = await Assert.ThrowsAsync<PostgresException>(() => Scalar(c, "SELECT pipeline.flops_matched_multiplier(2, 1, 0)"));
        Assert.Contains("R = D_inference / D_pretrain must be > 0", e.MessageText);
    }

    [Fact]
    public async Task Efficiency_gives_the_best_of_n_budget_for_the_compute_optimal_accuracy_in_three_units()
    {
        var db = database.DataSource;
        var (run, bon, beam) = await TwoConfigRunAsync(db, "efficiency");
        // bin 1 = problems 0 and 1. Weighted best-of-N: 0, 0.5, 1.0 at n = 1, 2, 4 with 100 tokens per sample;
        // beam right on both at every n with 150 tokens: compute-optimal 1.0 everywhere
        bool[][] bonRight = [[false, false], [true, false], [true, true]];
        int[] ns = [1, 2, 4];
        for (var i = 0; i < 3; i++)
            for (var p = 0; p < 2; p++)
            {
                await Seed.OutcomeAsync(db, bon[p], ns[i], "weighted", "last", bonRight[i][p], tokens: 100 * ns[i]);
                await Seed.OutcomeAsync(db, beam[p], ns[i], "weighted", "last", true, tokens: 150 * ns[i]);
            }

        var rows = await AnalysisQueries.EfficiencyAsync(db, run, CancellationToken.None);
        var gen = rows.Where(r => r is { Unit: "generations", BinKind: "oracle", Bin: 1 }).ToList();
        // best-of-N first reaches 1.0 at n = 4: 4x the compute at n = 1, 2x at n = 2, 1x at n = 4
        Assert.Equal([(1, 4.0, 4.0), (2, 4.0, 2.0), (4, 4.0, 1.0)], gen.Select(r => (r.BudgetN, r.BestOfNBudget!.Value, r.Ratio!.Value)));
        Assert.All(gen, r => Assert.Equal("interpolated", r.Match));
        // tokens: best-of-N needs its n = 4 (400 tokens) against beam's 150 at n = 1
        var tok = Assert.Single(rows, r => r is { Unit: "generated_tokens", BinKind: "oracle", Bin: 1, BudgetN: 1 });
        Assert.Equal((150.0, 400.0, 400.0 / 150), (tok.ComputeOptimalBudget!.Value, tok.BestOfNBudget!.Value, tok.Ratio!.Value));
        Assert.Contains(rows, r => r.Unit == "flops");

        // the same numbers from the C# math on the curves the view reads
        foreach (var r in rows.Where(r => r.BinKind == "oracle"))
        {
            var curve = await BestOfNCurveAsync(db, run, r.BinKind, r.Bin, r.Unit);
            var expected = ComputeMath.BudgetToReach(curve, r.ComputeOptimalAccuracy);
            AssertClose(expected.Budget, r.BestOfNBudget, $"{r.Unit} n={r.BudgetN}");
            Assert.Equal(expected.MatchName, r.Match);
        }
    }

    [Fact]
    public async Task Efficiency_says_when_best_of_n_never_reaches_the_compute_optimal_accuracy_or_already_does_at_its_smallest_budget()
    {
        var db = database.DataSource;
        var (run, bon, beam) = await TwoConfigRunAsync(db, "reach");
        for (var p = 0; p < 2; p++)
        {
            await Seed.OutcomeAsync(db, bon[p], 1, "weighted", "last", p == 0);
            await Seed.OutcomeAsync(db, bon[p], 2, "weighted", "last", p == 0);
            await Seed.OutcomeAsync(db, beam[p], 1, "weighted", "last", true);   // 1.0: best-of-N never gets there
            await Seed.OutcomeAsync(db, beam[p], 2, "weighted", "last", false);  // 0.0 at n = 2 (chosen: best-of-N 0.5 -> cv 0)
        }
        var rows = (await AnalysisQueries.EfficiencyAsync(db, run, CancellationToken.None))
            .Where(r => r is { Unit: "generations", BinKind: "oracle", Bin: 1 }).ToList();
        var n1 = Assert.Single(rows, r => r.BudgetN == 1);
        Assert.Equal(("not_reached", (double?)null, (double?)null), (n1.Match, n1.BestOfNBudget, n1.Ratio));
        var n2 = Assert.Single(rows, r => r.BudgetN == 2);
        Assert.Equal(("at_smallest", 1.0), (n2.Match, n2.BestOfNBudget!.Value));
    }

    [Fact]
    public async Task Revision_ratio_views_pick_the_chain_length_of_highest_accuracy_as_the_csharp_selection_does()
    {
        var db = database.DataSource;
        var ds = await Seed.DatasetAsync(db, "ratios", ("r0", 1), ("r1", 1));
        var run = await Seed.RunAsync(db, ds);
        // N = 4 split three ways: L = 1 (4 chains) 1/2 right, L = 2 (2 chains) 2/2 hierarchical, L = 4 (1 chain) 2/2 majority
        var l1 = await RevisionSearchesAsync(db, run, 4, 1);
        var l2 = await RevisionSearchesAsync(db, run, 4, 2);
        var l4 = await RevisionSearchesAsync(db, run, 4, 4);
        for (var p = 0; p < 2; p++)
        {
            await Seed.OutcomeAsync(db, l1[p], 4, "hierarchical", "last", p == 0);
            await Seed.OutcomeAsync(db, l2[p], 4, "hierarchical", "last", true);
            await Seed.OutcomeAsync(db, l4[p], 4, "majority", "none", true);
            await Seed.OutcomeAsync(db, l4[p], 4, "pass", "none", true);
        }

        var byRatio = new List<RatioPoint>();
        await using (var cmd = db.CreateCommand($"SELECT chain_length, parallel_chains, seq_parallel_ratio, aggregator, step_aggregation, accuracy FROM pipeline.accuracy_by_revision_ratio WHERE run_id = '{run}' AND bin_kind = 'all' ORDER BY chain_length, aggregator"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                var l = r.GetInt32(0);
                Assert.Equal(4 / l, r.GetInt32(1));
                Assert.Equal(ComputeMath.SequentialToParallel(4, l), r.GetDouble(2), 12);
                byRatio.Add(new RatioPoint(l, r.GetString(3), r.GetString(4), r.GetDouble(5)));
            }
        Assert.Equal([(1, 0.5), (2, 1.0), (4, 1.0), (4, 1.0)], byRatio.Select(p => (p.ChainLength, p.Accuracy)));

        await using (var cmd = db.CreateCommand($"SELECT chain_length, aggregator, step_aggregation, accuracy, parallel_chain_length, parallel_accuracy, sequential_chain_length, sequential_accuracy FROM pipeline.revision_ratio_optimal WHERE run_id = '{run}' AND bin_kind = 'all'"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            var chosen = ComputeMath.SelectRatio(byRatio)!.Value;
            Assert.Equal((chosen.ChainLength, chosen.Aggregator, chosen.StepAggregation, chosen.Accuracy),
                (r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetDouble(3)));
            Assert.Equal((2, "hierarchical"), (chosen.ChainLength, chosen.Aggregator));
            Assert.Equal((1, 0.5, 4, 1.0), (r.GetInt32(4), r.GetDouble(5), r.GetInt32(6), r.GetDouble(7)));
            Assert.False(await r.ReadAsync());
        }
    }

    [Fact]
    public async Task Flops_matched_comparison_reads_the_small_runs_curve_at_the_matched_budget_and_names_the_winner()
    {
        var db = database.DataSource;
        var (small, large) = await SmallAndLargeRunsAsync(db, "flops");

        var rows = (await AnalysisQueries.FlopsMatchedAsync(db, small, large, [18, 1], CancellationToken.None))
            .Where(r => r is { BinKind: "oracle", Bin: 1 }).ToList();
        Assert.Equal(2, rows.Count);
        var r1 = rows[0];   // R = 1: multiplier 11 > the small run's largest budget 4: read at 4, capped
        Assert.Equal((1.0, 2.0, 2.0, true, 11.0), (r1.InferenceToPretraining, r1.ParameterRatio, r1.PretrainingTokenRatio, r1.PretrainingTokensKnown, r1.Multiplier));
        Assert.Equal((1, 0.5, 11.0, 4.0, 1.0, true, "small"), (r1.LargeBudgetN, r1.LargeAccuracy, r1.SmallBudget, r1.SmallBudgetUsed, r1.SmallAccuracy!.Value, r1.SmallBudgetCapped, r1.Winner));
        var r18 = rows[1];  // R = 18: multiplier 2.5, between n = 2 (0.5) and 4 (1.0) on the log axis
        Assert.Equal(2.5, r18.Multiplier, 12);
        var expected = ComputeMath.AccuracyAtBudget([new(1, 0), new(2, 0.5), new(4, 1)], 2.5)!.Value;
        Assert.Equal(0.5 + 0.5 * Math.Log2(1.25), expected, 12);
        Assert.Equal(expected, r18.SmallAccuracy!.Value, 12);
        Assert.Equal((false, "small"), (r18.SmallBudgetCapped, r18.Winner));
        Assert.Equal(expected - 0.5, r18.AccuracyDifference!.Value, 12);

        var e = await Assert.ThrowsAsync<PostgresException>(() => AnalysisQueries.FlopsMatchedAsync(db, large, small, [1], CancellationToken.None));
        Assert.Contains("not more than the small run", e.MessageText);
    }

    [Fact]
    public async Task Run_compare_prints_the_flops_matched_table_and_json_and_refuses_a_smaller_large_run()
    {
        var db = database.DataSource;
        var (small, large) = await SmallAndLargeRunsAsync(db, "cli-compare");
        var config = Pipeline.Tests.Producer.Cli.Config(database);

        var table = await Pipeline.Tests.Producer.Cli.RunAsync(config, "run", "compare", small.ToString(), large.ToString(), "--ratio", "18", "--ratio", "1");
        Assert.True(table.ExitCode == 0, table.Output);
        Assert.Contains("M = 2 (policy parameters), pretraining tokens large/small = 2", table.Output);
        Assert.Contains("11 (ran 4)", table.Output);   // R = 1: multiplier 11, the small run stops at 4
        Assert.Contains("small", table.Output);

        var json = await Pipeline.Tests.Producer.Cli.RunAsync(config, "run", "compare", small.ToString(), large.ToString(), "--ratio", "18", "--json");
        Assert.True(json.ExitCode == 0, json.Output);
        using var doc = System.Text.Json.JsonDocument.Parse(json.Output);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Contains(rows, r => r.GetProperty("bin_kind").GetString() == "predicted");
        var row = rows.Single(r => r.GetProperty("bin_kind").GetString() == "oracle" && r.GetProperty("bin").GetInt32() == 1);
        Assert.Equal(2.5, row.GetProperty("multiplier").GetDouble(), 12);
        Assert.Equal("small", row.GetProperty("winner").GetString());

        var swapped = await Pipeline.Tests.Producer.Cli.RunAsync(config, "run", "compare", large.ToString(), small.ToString());
        Assert.Equal(1, swapped.ExitCode);
        Assert.Contains("not more than the small run", swapped.Output);
        var bad = await Pipeline.Tests.Producer.Cli.RunAsync(config, "run", "compare", small.ToString(), large.ToString(), "--ratio", "0");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--ratio '0' is not a positive number", bad.Output);
    }

    [Fact]
    public async Task A_run_with_a_difficulty_run_takes_its_bins_from_that_runs_samples()
    {
        var db = database.DataSource;
        var (source, _, _) = await TwoConfigRunAsync(db, "difficulty-source", stepsRight: true);
        var datasetId = (int)await Seed.ScalarAsync(db, $"SELECT dataset_id FROM pipeline.runs WHERE run_id = '{source}'");
        var later = await Seed.RunAsync(db, datasetId, "later");
        var beam = await Seed.SearchesAsync(db, later, "beam(M=2)", 4, "done");
        await Seed.OutcomeAsync(db, beam[0], 4, "weighted", "last", true);
        Assert.Equal(0, await Seed.ScalarAsync(db, $"SELECT count(*) FROM pipeline.problem_difficulty WHERE run_id = '{later}'"));

        await using (var cmd = db.CreateCommand($"UPDATE pipeline.runs SET difficulty_run_id = '{source}' WHERE run_id = '{later}'"))
            await cmd.ExecuteNonQueryAsync();
        var bins = new List<(long Problem, int Oracle, double Pass, Guid From)>();
        await using (var cmd = db.CreateCommand($"""
            SELECT l.problem_id, l.oracle_bin, l.pass_at_1, l.difficulty_run_id, s.oracle_bin AS source_bin
            FROM pipeline.problem_difficulty l JOIN pipeline.problem_difficulty s ON s.run_id = '{source}' AND s.problem_id = l.problem_id
            WHERE l.run_id = '{later}' ORDER BY l.problem_id
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                Assert.Equal(r.GetInt32(4), r.GetInt32(1));
                bins.Add((r.GetInt64(0), r.GetInt32(1), r.GetDouble(2), r.GetGuid(3)));
            }
        Assert.Equal(10, bins.Count);
        Assert.All(bins, b => Assert.Equal(source, b.From));
        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], bins.Select(b => b.Oracle));
        // the later run's beam outcome now has a bin
        Assert.Equal(1, await Seed.ScalarAsync(db, $"SELECT count(*) FROM pipeline.accuracy_by_difficulty WHERE run_id = '{later}' AND bin_kind = 'oracle'"));
    }

    /// <summary>A small run (policy 10 parameters, 100 pretraining tokens) whose bin-1 compute-optimal curve is
    /// 0, 0.5, 1.0 at n = 1, 2, 4, and a large one on the same problems (20 parameters, 200 tokens: M = 2, P = 2)
    /// right on one of the two bin-1 problems at n = 1.</summary>
    private static async Task<(Guid Small, Guid Large)> SmallAndLargeRunsAsync(NpgsqlDataSource db, string name)
    {
        var (small, bon, _) = await TwoConfigRunAsync(db, name);
        // small run, bin 1: best-of-N 0, 0.5, 1.0 at n = 1, 2, 4 and nothing else: compute-optimal = best-of-N
        bool[][] right = [[false, false], [true, false], [true, true]];
        int[] ns = [1, 2, 4];
        for (var i = 0; i < 3; i++)
            for (var p = 0; p < 2; p++)
            {
                await Seed.OutcomeAsync(db, bon[p], ns[i], "weighted", "last", right[i][p]);
            }
        var datasetId = (int)await Seed.ScalarAsync(db, $"SELECT dataset_id FROM pipeline.runs WHERE run_id = '{small}'");
        var large = await Seed.RunAsync(db, datasetId, name + "-large");
        var largeBon = await Seed.SearchesAsync(db, large, "best_of_n", 1, "done");
        await Seed.OutcomeAsync(db, largeBon[0], 1, "weighted", "last", true);
        await Seed.OutcomeAsync(db, largeBon[1], 1, "weighted", "last", false);
        // M = 20 / 10 = 2; pretraining tokens 200 vs 100: P = 2; multiplier 2 + 3 (2 * 2 - 1) / R = 2 + 9 / R
        await using (var cmd = db.CreateCommand($"""
            UPDATE pipeline.runs SET policy_parameters = 20, policy_pretraining_tokens = 200 WHERE run_id = '{large}';
            UPDATE pipeline.runs SET policy_pretraining_tokens = 100 WHERE run_id = '{small}';
            """))
            await cmd.ExecuteNonQueryAsync();

        return (small, large);
    }

    /// <summary>Ten problems, a done best-of-N (budget 4) and beam(M=2) search each; every best-of-N search has one
    /// stored sample, all alike, so the oracle bins follow problem_id: {0,1} -> 1, {2,3} -> 2, ... (consecutive ids,
    /// so each bin has one problem in each fold).</summary>
    private static async Task<(Guid Run, IReadOnlyList<long> BestOfN, IReadOnlyList<long> Beam)> TwoConfigRunAsync(
        NpgsqlDataSource db, string name, bool stepsRight = false)
    {
        var ds = await Seed.DatasetAsync(db, name, Enumerable.Range(0, 10).Select(i => ($"{name}{i}", (int?)1)).ToArray());
        var run = await Seed.RunAsync(db, ds, name);
        var bon = await Seed.SearchesAsync(db, run, "best_of_n", 4, "done");
        // budget 2: Seed marks every search best_of_n, and problem_difficulty takes the largest budget's samples
        var beam = await Seed.SearchesAsync(db, run, "beam(M=2)", 2, "done");
        await using (var c = await db.OpenConnectionAsync())
            await StepRowWriter.WriteAsync(c, null,
                bon.Select(id => StepRows.Of(id, 1, null, 1, 0, 0, 0, 0, "s", 5, 3, 0, 0.5f, null, true, FinishReason.Eos, "1", stepsRight)).ToList(),
                CancellationToken.None);
        return (run, bon, beam);
    }

    private static async Task<IReadOnlyList<long>> RevisionSearchesAsync(NpgsqlDataSource db, Guid run, int budget, int chainLength)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO pipeline.searches (run_id, problem_id, strategy, strategy_label, budget, beam_width_is_sqrt, lookahead, chain_length, max_rounds, status)
            SELECT @run, p.problem_id, 'revisions', @label, @budget, false, 0, @l, 40, 'done'
            FROM pipeline.problems p JOIN pipeline.runs r ON r.dataset_id = p.dataset_id
            WHERE r.run_id = @run ORDER BY p.ordinal
            RETURNING search_id
            """);
        cmd.Parameters.AddWithValue("run", run);
        cmd.Parameters.AddWithValue("label", $"revisions(L={chainLength})");
        cmd.Parameters.AddWithValue("budget", budget);
        cmd.Parameters.AddWithValue("l", chainLength);
        var ids = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(r.GetInt64(0));
        return ids;
    }

    private static async Task<IReadOnlyList<CurvePoint>> BestOfNCurveAsync(NpgsqlDataSource db, Guid run, string binKind, int bin, string unit)
    {
        var column = unit switch { "generations" => "budget_n::float8", "generated_tokens" => "mean_generated_tokens", _ => "mean_flops" };
        await using var cmd = db.CreateCommand($"""
            SELECT {column}, accuracy FROM pipeline.accuracy_by_difficulty
            WHERE run_id = '{run}' AND bin_kind = '{binKind}' AND bin = {bin}
              AND strategy_label = 'best_of_n' AND aggregator = 'weighted' AND step_aggregation = 'last'
            ORDER BY budget_n
            """);
        var points = new List<CurvePoint>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            if (points.Count == 0 || r.GetDouble(0) > points.Max(p => p.Budget)) points.Add(new(r.GetDouble(0), r.GetDouble(1)));
        return points;
    }

    private static void AssertClose(double? expected, double? actual, string what)
    {
        Assert.True(expected.HasValue == actual.HasValue, $"{what}: C# {expected}, SQL {actual}");
        if (expected is { } e) Assert.True(Math.Abs(e - actual!.Value) <= 1e-12 * Math.Max(1, Math.Abs(e)), $"{what}: C# {e}, SQL {actual}");
    }

    private static async Task Exec(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<double> Scalar(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        return Convert.ToDouble(await cmd.ExecuteScalarAsync());
    }
}
