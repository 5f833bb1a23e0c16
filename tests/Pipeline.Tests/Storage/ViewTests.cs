using Npgsql;
using Pipeline.Contracts;
using Pipeline.Storage;
using Pipeline.Storage.Entities;
using Pipeline.Storage.Queries;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Storage;

public sealed class ViewTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    [Fact]
    public async Task Accuracy_views_count_each_problem_once_per_budget_even_when_nested_budgets_repeat_a_direct_one()
    {
        var db = database.DataSource;
        var ds = await Seed.DatasetAsync(db, "views", ("a", 1), ("b", 1), ("c", 2));
        var run = await Seed.RunAsync(db, ds);
        var big = await Seed.SearchesAsync(db, run, "best_of_n", 4, "done");    // nested outcomes n = 1, 2, 4
        var small = await Seed.SearchesAsync(db, run, "best_of_n", 2, "done");  // direct n = 1, 2
        bool[] correctAt2Big = [true, false, true], correctAt2Small = [false, false, false];
        for (var p = 0; p < 3; p++)
        {
            await Seed.OutcomeAsync(db, big[p], 2, "weighted", "last", correctAt2Big[p]);
            await Seed.OutcomeAsync(db, big[p], 4, "weighted", "last", true, tokens: 400);
            await Seed.OutcomeAsync(db, small[p], 2, "weighted", "last", correctAt2Small[p]);
            await Seed.OutcomeAsync(db, big[p], 4, "majority", "none", p == 0);
        }

        var rows = await RunQueries.AccuracyAsync(db, run, CancellationToken.None);
        var n2All = Assert.Single(rows, r => r is { BudgetN: 2, Aggregator: "weighted", AllLevels: true });
        // the direct n=2 search (smaller budget) wins over the nested one: 0 of 3, not 2 of 6
        Assert.Equal((3, 0, 0.0), (n2All.Problems, n2All.Correct, n2All.Accuracy));
        var n4L1 = Assert.Single(rows, r => r is { BudgetN: 4, Aggregator: "weighted", Level: 1 });
        Assert.Equal((2, 2, 1.0, 400.0), (n4L1.Problems, n4L1.Correct, n4L1.Accuracy, n4L1.MeanGeneratedTokens));
        var majority = Assert.Single(rows, r => r is { Aggregator: "majority", AllLevels: true });
        Assert.Equal(1.0 / 3, majority.Accuracy, 6);
    }

    [Fact]
    public async Task Compute_optimal_picks_the_most_accurate_config_per_level_never_pass_and_shows_best_of_n_beside_it()
    {
        var db = database.DataSource;
        var ds = await Seed.DatasetAsync(db, "optimal", ("e1", 1), ("e2", 1), ("h1", 5), ("h2", 5));
        var run = await Seed.RunAsync(db, ds);
        var bon = await Seed.SearchesAsync(db, run, "best_of_n", 4, "done");
        var beam = await Seed.SearchesAsync(db, run, "beam(M=2)", 4, "done");
        // easy problems: best-of-N 2/2, beam 1/2; hard: best-of-N 0/2, beam 2/2; pass is always right
        bool[] bonRight = [true, true, false, false], beamRight = [true, false, true, true];
        for (var p = 0; p < 4; p++)
        {
            await Seed.OutcomeAsync(db, bon[p], 4, "weighted", "last", bonRight[p]);
            await Seed.OutcomeAsync(db, beam[p], 4, "weighted", "last", beamRight[p]);
            await Seed.OutcomeAsync(db, bon[p], 4, "pass", "none", true);
        }
        var rows = await RunQueries.ComputeOptimalAsync(db, run, CancellationToken.None);
        Assert.Equal(2, rows.Count);
        Assert.Equal((1, "best_of_n", 1.0, 1.0), (rows[0].Level, rows[0].StrategyLabel, rows[0].Accuracy, rows[0].BestOfNAccuracy));
        Assert.Equal((5, "beam(M=2)", 1.0, 0.0), (rows[1].Level, rows[1].StrategyLabel, rows[1].Accuracy, rows[1].BestOfNAccuracy));
    }

    [Fact]
    public async Task Difficulty_bins_come_from_the_last_step_of_each_best_of_n_sample()
    {
        var db = database.DataSource;
        var ds = await Seed.DatasetAsync(db, "difficulty", ("p0", 1), ("p1", 1), ("p2", 1), ("p3", 1), ("p4", 1));
        var run = await Seed.RunAsync(db, ds);
        var searches = await Seed.SearchesAsync(db, run, "best_of_n", 4, "done");
        var rows = new List<Step>();
        for (var p = 0; p < 5; p++)
            for (var sample = 0; sample < 4; sample++)
            {
                // problem p: 4 - p samples right (problem 4: none); the first step of every sample is marked wrong,
                // so only the last step can count. Final PRM scores rise with p: predicted bins run opposite to oracle ones.
                var right = sample < 4 - p;
                rows.Add(StepRows.Of(searches[p], sample * 2 + 1, null, 1, 0, 0, sample, 0, "s", 5, 3, 0, 0.9f, null, false, null, null, false));
                rows.Add(StepRows.Of(searches[p], sample * 2 + 2, sample * 2 + 1, 2, 0, 0, sample, 1, "a", 0, 3, 0, 0.1f + 0.2f * p, null,
                    Terminal: sample != 3, FinishReason: FinishReason.Eos, ExtractedAnswer: "1", IsCorrect: sample == 3 ? null : right));
            }
        await using (var c = await db.OpenConnectionAsync()) await StepRowWriter.WriteAsync(c, null, rows, CancellationToken.None);
        await Seed.OutcomeAsync(db, searches[0], 4, "weighted", "last", true);
        await Seed.OutcomeAsync(db, searches[4], 4, "weighted", "last", false);

        var difficulty = new List<(long Problem, int Samples, int Correct, int Oracle, int Predicted)>();
        await using (var cmd = db.CreateCommand($"SELECT problem_id, samples, correct_samples, oracle_bin, predicted_bin FROM pipeline.problem_difficulty WHERE run_id = '{run}' ORDER BY problem_id"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) difficulty.Add((r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)));
        // sample 3 never terminates (is_correct NULL): wrong; so problem 0 has 3 right, not 4
        Assert.Equal([3, 3, 2, 1, 0], difficulty.Select(d => d.Correct));
        Assert.All(difficulty, d => Assert.Equal(4, d.Samples));
        Assert.Equal([1, 2, 3, 4, 5], difficulty.Select(d => d.Oracle));
        Assert.Equal([5, 4, 3, 2, 1], difficulty.Select(d => d.Predicted));

        var byBin = await RunQueries.AccuracyAsync(db, run, CancellationToken.None, "oracle");
        Assert.Equal((1, 1.0), (byBin.Single(b => b.Level == 1).Problems, byBin.Single(b => b.Level == 1).Accuracy));
        Assert.Equal((1, 0.0), (byBin.Single(b => b.Level == 5).Problems, byBin.Single(b => b.Level == 5).Accuracy));
    }

    [Fact]
    public async Task Cross_validated_compute_optimal_scores_each_problem_with_the_config_chosen_on_the_other_fold()
    {
        var db = database.DataSource;
        var ds = await Seed.DatasetAsync(db, "cv", Enumerable.Range(0, 10).Select(i => ($"q{i}", (int?)1)).ToArray());
        var run = await Seed.RunAsync(db, ds);
        var a = await Seed.SearchesAsync(db, run, "best_of_n", 4, "done");
        var b = await Seed.SearchesAsync(db, run, "beam(M=2)", 2, "done");
        // equal pass@1 everywhere (one wrong sample each), so bins follow problem_id: {0,1} -> 1, {2,3} -> 2, ...
        await using (var c = await db.OpenConnectionAsync())
            await StepRowWriter.WriteAsync(c, null,
                a.Select(id => StepRows.Of(id, 1, null, 1, 0, 0, 0, 0, "s", 5, 3, 0, 0.5f, null, false, FinishReason.Length, null, null)).ToList(),
                CancellationToken.None);
        // bin 1: best_of_n right only on problem 0, beam only on problem 1 -> whatever one fold picks fails on the other
        await Seed.OutcomeAsync(db, a[0], 4, "weighted", "last", true);
        await Seed.OutcomeAsync(db, a[1], 4, "weighted", "last", false);
        await Seed.OutcomeAsync(db, b[0], 4, "weighted", "last", false);
        await Seed.OutcomeAsync(db, b[1], 4, "weighted", "last", true);
        // bin 2: best_of_n right on both, beam on neither
        foreach (var p in new[] { 2, 3 })
        {
            await Seed.OutcomeAsync(db, a[p], 4, "weighted", "last", true);
            await Seed.OutcomeAsync(db, b[p], 4, "weighted", "last", false);
        }

        var rows = new List<(int Bin, int Problems, double Cv, double? BestOfN, string Chosen)>();
        await using (var cmd = db.CreateCommand($"SELECT bin, problems, cv_accuracy, best_of_n_accuracy, chosen_configs FROM pipeline.compute_optimal_cv WHERE run_id = '{run}' AND bin_kind = 'oracle' ORDER BY bin"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) rows.Add((r.GetInt32(0), r.GetInt32(1), r.GetDouble(2), r.IsDBNull(3) ? null : r.GetDouble(3), r.GetString(4)));
        Assert.Equal(2, rows.Count);
        Assert.Equal((1, 2, 0.0, (double?)0.5), (rows[0].Bin, rows[0].Problems, rows[0].Cv, rows[0].BestOfN));
        Assert.Contains("best_of_n weighted/last", rows[0].Chosen);
        Assert.Contains("beam(M=2) weighted/last", rows[0].Chosen);
        Assert.Equal((2, 2, 1.0, (double?)1.0), (rows[1].Bin, rows[1].Problems, rows[1].Cv, rows[1].BestOfN));
        Assert.Equal("best_of_n weighted/last; best_of_n weighted/last", rows[1].Chosen);
    }

    [Fact]
    public async Task Run_progress_counts_searches_by_status_steps_and_tokens()
    {
        var db = database.DataSource;
        var ds = await Seed.DatasetAsync(db, "progress", ("a", 1), ("b", 2));
        var run = await Seed.RunAsync(db, ds);
        var ids = await Seed.SearchesAsync(db, run, "best_of_n", 2);
        await using (var cmd = db.CreateCommand($"UPDATE pipeline.searches SET status = 'done', started_at = now() WHERE search_id = {ids[0]}"))
            await cmd.ExecuteNonQueryAsync();
        await using (var c = await db.OpenConnectionAsync())
            await StepRowWriter.WriteAsync(c, null,
                [StepRows.Of(ids[0], 1, null, 1, 0, 0, 0, 0, "s", 5, 7, 3, 0.5f, 0.4f, false, null, null, null),
                 StepRows.Of(ids[0], 2, null, 1, 0, 0, 1, 0, "t", 5, 11, 0, 0.5f, null, false, null, null, null)], CancellationToken.None);

        var info = await RunQueries.GetAsync(db, run, CancellationToken.None);
        Assert.Equal((2L, 1L, 0L, 0L, 2L, 21L), (info.Searches, info.SearchesDone, info.SearchesFailed, info.SearchesRunning, info.Steps, info.GeneratedTokens));
        Assert.Equal(1, info.SearchesPending);
        Assert.False(info.Finished);
        Assert.NotNull(info.FirstStartedAt);
    }

    [Fact]
    public async Task Check_constraints_refuse_values_outside_the_documented_sets()
    {
        await using var cmd = database.DataSource.CreateCommand(
            "INSERT INTO pipeline.datasets (name, format, source_file, problem_count, imported_at) VALUES ('x', 'csv', 'f', 0, now())");
        var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal("ck_datasets_format", e.ConstraintName);
    }
}
