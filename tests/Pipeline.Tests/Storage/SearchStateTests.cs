using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pipeline.Aggregator;
using Pipeline.Contracts;
using Pipeline.Producer.RunSpecs;
using Pipeline.Search;
using Pipeline.Storage;
using Pipeline.Storage.Entities;
using Pipeline.Storage.Searches;
using Pipeline.Storage.Workers;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Messaging;

namespace Pipeline.Tests.Storage;

/// <summary>The search state machine on a real database: what the Producer writes comes back as the same strategy,
/// duplicate and stale rounds change nothing, a round the database refuses fails its search, and the recovery
/// sweep re-requests overdue rounds until it gives up.</summary>
public sealed class SearchStateTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    private const string Answer = "The answer is $\\boxed{1}$.";

    private ServiceProvider Services(int maxRoundRequests = 5, double roundTimeoutSeconds = 60) => HarnessServices.Build(
        s => s.AddAggregatorCore(),
        _ => { },
        new Dictionary<string, string?>
        {
            ["ConnectionStrings:Pipeline"] = database.ConnectionString,
            ["Aggregator:RoundTimeoutSeconds"] = roundTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Aggregator:MaxRoundRequests"] = maxRoundRequests.ToString(),
        });

    /// <summary>A run of one problem (gold answer "1") with one search per config, written as `run submit` writes them.</summary>
    private async Task<(Guid Run, IReadOnlyList<long> Searches)> SubmitAsync(bool withRevision, params StrategyConfig[] configs)
    {
        var dataset = await Seed.DatasetAsync(database.DataSource, $"d{Guid.NewGuid():N}", ("p", 1));
        var problem = await Seed.ScalarAsync(database.DataSource, $"SELECT problem_id FROM pipeline.problems WHERE dataset_id = {dataset}");
        var run = new Run
        {
            RunId = Guid.NewGuid(), Name = "state", DatasetId = dataset, SpecJson = "{}",
            PolicyModel = "pol", PrmModel = "prm", RevisionModel = withRevision ? "rev" : null,
            PolicyModelPath = "p.json", PrmModelPath = "r.json", RevisionModelPath = withRevision ? "v.json" : null,
            PolicyParameters = 1000, PrmParameters = 2000, RevisionParameters = withRevision ? 3000 : null,
            Temperature = 0.5f, TopP = 0.9f, MaxNewTokens = 32, MaxSteps = 8, Seed = 7,
            Status = RunStatus.Submitted, CreatedAt = DateTime.UtcNow,
        };
        var searches = await RunCreation.CreateAsync(database.DataSource, run,
            configs.Select(c => SearchPlanner.ToRecord(run.RunId, problem, c)).ToList(), CancellationToken.None);
        return (run.RunId, searches.Select(s => s.SearchId).ToList());
    }

    private async Task<SearchState> LoadAsync(long searchId)
    {
        await using var c = await database.DataSource.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        return (await SearchStateStore.LockAsync(c, tx, searchId, CancellationToken.None))!;
    }

    private Task<long> CountAsync(string table, long searchId) =>
        Seed.ScalarAsync(database.DataSource, $"SELECT count(*) FROM pipeline.{table} WHERE search_id = {searchId}");

    private async Task<string> RunStatusAsync(Guid runId)
    {
        await using var cmd = database.DataSource.CreateCommand($"SELECT status FROM pipeline.runs WHERE run_id = '{runId}'");
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Every sample of every request answers with one scored step.</summary>
    private static RoundScored Scored(ExpandRound round, string text = Answer, bool terminal = true) => new(round,
        round.Requests.SelectMany(q => Enumerable.Range(0, q.Count).Select(i => new ScoredCandidate(
            new ProposedCandidate(q.Index, i, q.ParentNodeId, [new GeneratedStep(text, 4)], 10,
                terminal ? FinishReason.Eos : FinishReason.Delimiter, terminal),
            [0.9]))).ToList());

    [Fact]
    public async Task The_strategy_comes_back_from_the_typed_columns_with_the_run_settings_and_model_sizes()
    {
        StrategyConfig[] configs =
        [
            StrategyConfig.BestOfN(8), StrategyConfig.Beam(16, 4), StrategyConfig.Beam(16), StrategyConfig.LookaheadSearch(16, 2),
            StrategyConfig.Dvts(16), StrategyConfig.Revisions(16, 4) with { MaxRounds = 10 },
            StrategyConfig.Beam(16, 4) with { FilterDuplicates = true }, StrategyConfig.Dvts(16, 4) with { FilterDuplicates = true },
        ];
        var (_, ids) = await SubmitAsync(true, configs);

        for (var i = 0; i < configs.Length; i++)
        {
            var state = await LoadAsync(ids[i]);
            // the run's temperature is the strategy's (the spec parser does the same)
            Assert.Equal(configs[i] with { Temperature = 0.5 }, state.Strategy);
            Assert.Equal((SearchStatus.Pending, -1, (double?)null), (state.Status, state.CurrentRound, state.RoundAgeSeconds));
            Assert.Equal(new ModelSizes(1000, 2000, 3000), state.Sizes);
            Assert.Equal(new SamplingSettings(0.5, 0.9f, 32, 8), state.Sampling);
        }
        var (_, noRevision) = await SubmitAsync(false, StrategyConfig.BestOfN(4));
        Assert.Equal(new ModelSizes(1000, 2000, 0), (await LoadAsync(noRevision[0])).Sizes);
    }

    [Fact]
    public async Task A_run_without_a_revision_model_cannot_carry_a_revision_size()
    {
        var (run, _) = await SubmitAsync(false, StrategyConfig.BestOfN(4));
        var e = await Assert.ThrowsAsync<PostgresException>(() => Seed.ScalarAsync(database.DataSource,
            $"UPDATE pipeline.runs SET revision_parameters = 5 WHERE run_id = '{run}'"));
        Assert.Equal((PostgresErrorCodes.CheckViolation, "ck_runs_revision_parameters"), (e.SqlState, e.ConstraintName));
    }

    [Fact]
    public async Task A_duplicate_of_the_last_round_changes_nothing_and_the_run_closes_once()
    {
        await using var sp = Services();
        var progress = sp.GetRequiredService<SearchProgress>();
        var (run, ids) = await SubmitAsync(false, StrategyConfig.BestOfN(4));
        Assert.Equal("submitted", await RunStatusAsync(run));

        var round0 = (await progress.RequestCurrentRoundAsync(ids[0], null, CancellationToken.None))!;
        Assert.Equal(("running", SearchStatus.Running, 0), (await RunStatusAsync(run), (await LoadAsync(ids[0])).Status, round0.Round));
        Assert.Null(await progress.RecordRoundAsync(Scored(round0), CancellationToken.None));
        var state = await LoadAsync(ids[0]);
        Assert.Equal((SearchStatus.Done, "done"), (state.Status, await RunStatusAsync(run)));
        var (steps, outcomes, rounds) = (await CountAsync("steps", ids[0]), await CountAsync("outcomes", ids[0]), await CountAsync("search_rounds", ids[0]));
        Assert.Equal((4L, 1L), (steps, rounds));
        Assert.True(outcomes > 0);

        // redelivered: dropped (search done), and a SearchRequested again does nothing either
        Assert.Null(await progress.RecordRoundAsync(Scored(round0), CancellationToken.None));
        Assert.Null(await progress.RequestCurrentRoundAsync(ids[0], null, CancellationToken.None));
        Assert.Equal((steps, outcomes, rounds), (await CountAsync("steps", ids[0]), await CountAsync("outcomes", ids[0]), await CountAsync("search_rounds", ids[0])));

        // the round key itself refuses a second copy, whatever the search's status says
        await using var c = await database.DataSource.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        Assert.False(await SearchStateStore.TryInsertRoundAsync(c, tx, ids[0], 0, 4, 16, CancellationToken.None));
    }

    [Fact]
    public async Task A_stale_round_is_dropped_and_a_re_request_repeats_the_current_round_exactly()
    {
        await using var sp = Services();
        var progress = sp.GetRequiredService<SearchProgress>();
        var (run, ids) = await SubmitAsync(false, StrategyConfig.Beam(4, 2));

        var round0 = (await progress.RequestCurrentRoundAsync(ids[0], null, CancellationToken.None))!;
        // steps that do not end the solution: beam search asks for round 1
        var round1 = (await progress.RecordRoundAsync(Scored(round0, "1+0 = 1", terminal: false), CancellationToken.None))!;
        Assert.Equal(1, round1.Round);
        Assert.Equal((SearchStatus.Running, 1), ((await LoadAsync(ids[0])).Status, (await LoadAsync(ids[0])).CurrentRound));
        var steps = await CountAsync("steps", ids[0]);

        // round 0 again (a late duplicate): stale, nothing stored, nothing requested
        Assert.Null(await progress.RecordRoundAsync(Scored(round0, "something else", terminal: false), CancellationToken.None));
        Assert.Equal(steps, await CountAsync("steps", ids[0]));
        Assert.Equal(1, (await LoadAsync(ids[0])).CurrentRound);

        // SearchRequested redelivered while round 1 is out: round 1 again, same parents and seeds
        var again = (await progress.RequestCurrentRoundAsync(ids[0], null, CancellationToken.None))!;
        Assert.Equal((round1.Round, round1.Mode), (again.Round, again.Mode));
        Assert.Equal(round1.Requests.Select(r => (r.ParentNodeId, r.Count, r.Seed)), again.Requests.Select(r => (r.ParentNodeId, r.Count, r.Seed)));
        Assert.Equal("running", await RunStatusAsync(run));
    }

    [Fact]
    public async Task A_round_the_database_refuses_fails_its_search_instead_of_stalling_it()
    {
        await using var sp = Services();
        var progress = sp.GetRequiredService<SearchProgress>();
        var (run, ids) = await SubmitAsync(false, StrategyConfig.BestOfN(2));
        // stands in for any content the schema refuses (a check or encoding violation): every retry would be refused too
        await Seed.ScalarAsync(database.DataSource,
            "ALTER TABLE pipeline.steps ADD CONSTRAINT ck_test_refused CHECK (text <> 'refused by the database')");

        var round0 = (await progress.RequestCurrentRoundAsync(ids[0], null, CancellationToken.None))!;
        Assert.Null(await progress.RecordRoundAsync(Scored(round0, "refused by the database"), CancellationToken.None));

        Assert.Equal(SearchStatus.Failed, (await LoadAsync(ids[0])).Status);
        Assert.Equal((0L, 0L, 0L), (await CountAsync("steps", ids[0]), await CountAsync("search_rounds", ids[0]), await CountAsync("outcomes", ids[0])));
        Assert.Equal("done", await RunStatusAsync(run));

        // `run resume --retry-failed` reopens it (and its run) at the same round
        Assert.Equal(1, await SearchStateStore.ReopenFailedAsync(database.DataSource, run, CancellationToken.None));
        Assert.Equal((SearchStatus.Running, 0, "running"), ((await LoadAsync(ids[0])).Status, (await LoadAsync(ids[0])).CurrentRound, await RunStatusAsync(run)));
    }

    [Fact]
    public async Task The_recovery_sweep_re_requests_overdue_rounds_only_and_gives_up_after_MaxRoundRequests()
    {
        await using var sp = Services(maxRoundRequests: 2);
        var harness = sp.GetRequiredService<ITestHarness>();
        await harness.Start();
        var progress = sp.GetRequiredService<SearchProgress>();
        var sweep = sp.GetRequiredService<RecoverySweep>();
        var (_, ids) = await SubmitAsync(false, StrategyConfig.Beam(4, 2), StrategyConfig.BestOfN(4));
        var requested = (await progress.RequestCurrentRoundAsync(ids[0], null, CancellationToken.None))!;
        await progress.RequestCurrentRoundAsync(ids[1], null, CancellationToken.None);

        async Task OverdueAsync() => await Seed.ScalarAsync(database.DataSource,
            $"UPDATE pipeline.searches SET round_requested_at = now() - interval '1 hour' WHERE search_id = {ids[0]}");

        // nothing is overdue yet (timeout 60 s)
        Assert.Equal(0, await sweep.SweepOnceAsync(CancellationToken.None));

        await OverdueAsync();
        Assert.Equal(1, await sweep.SweepOnceAsync(CancellationToken.None));
        var resent = (await harness.PublishedAsync<ExpandRound>(1))[0];
        Assert.Equal((ids[0], 0), (resent.SearchId, resent.Round));
        Assert.Equal(requested.Requests.Select(r => r.Seed), resent.Requests.Select(r => r.Seed));
        // the re-request restarted the clock
        Assert.Equal(0, await sweep.SweepOnceAsync(CancellationToken.None));

        await OverdueAsync();
        Assert.Equal(1, await sweep.SweepOnceAsync(CancellationToken.None));
        Assert.Equal(2L, await Seed.ScalarAsync(database.DataSource, $"SELECT round_requests FROM pipeline.searches WHERE search_id = {ids[0]}"));
        await OverdueAsync();
        // a restarted Aggregator (a new sweep) keeps the count: a third time, the round never came back, so the
        // search fails with the reason; the other search is untouched
        await using var restarted = Services(maxRoundRequests: 2);
        Assert.Equal(0, await restarted.GetRequiredService<RecoverySweep>().SweepOnceAsync(CancellationToken.None));
        Assert.Equal(SearchStatus.Failed, (await LoadAsync(ids[0])).Status);
        Assert.Contains("re-requested 2 times", await TextAsync($"SELECT failure_reason FROM pipeline.searches WHERE search_id = {ids[0]}"));
        Assert.Equal(SearchStatus.Running, (await LoadAsync(ids[1])).Status);
    }

    [Fact]
    public async Task A_round_no_worker_accepted_is_lost_only_when_later_rounds_were_accepted_or_nothing_was_and_an_accepted_round_waits_for_the_round_timeout()
    {
        await using var sp = Services();
        var harness = sp.GetRequiredService<ITestHarness>();
        await harness.Start();
        var progress = sp.GetRequiredService<SearchProgress>();
        var (run, ids) = await SubmitAsync(false, StrategyConfig.BestOfN(2), StrategyConfig.BestOfN(4), StrategyConfig.BestOfN(8), StrategyConfig.BestOfN(16));
        foreach (var id in ids) await progress.RequestCurrentRoundAsync(id, null, CancellationToken.None);
        // a stale acceptance (another round) changes nothing; the current ones are marked
        Assert.Equal(0, await SearchStateStore.AcceptedAsync(database.DataSource, [new RoundKey(ids[1], 5)], CancellationToken.None));
        Assert.Equal(2, await SearchStateStore.AcceptedAsync(database.DataSource, [new RoundKey(ids[1], 0), new RoundKey(ids[3], 0)], CancellationToken.None));

        async Task AtAsync(int i, string requested, string? accepted) => await Seed.ScalarAsync(database.DataSource,
            $"UPDATE pipeline.searches SET round_requested_at = now() - interval '{requested}', round_accepted_at = {(accepted is null ? "NULL" : $"now() - interval '{accepted}'")} WHERE search_id = {ids[i]}");
        async Task<long[]> LostAsync() => [.. (await SearchStateStore.LostAsync(database.DataSource, TimeSpan.FromSeconds(60),
            TimeSpan.FromHours(1), 100, CancellationToken.None)).Where(l => ids.Contains(l.SearchId)).Select(l => l.SearchId)];

        // 0: never accepted, though 1 (requested after it) was, 5 minutes ago: lost. 1: accepted, slow: not lost.
        // 2: never accepted, but the only round accepted after its request was taken 10 s ago: the workers are busy
        // and 2 may be waiting its turn (or sit in a worker's prefetch): not lost. 3: accepted just now.
        await AtAsync(0, "10 minutes", null);
        await AtAsync(1, "9 minutes", "5 minutes");
        await AtAsync(2, "8 minutes", null);
        await AtAsync(3, "7 minutes", "10 seconds");
        Assert.Equal([ids[0]], await LostAsync());

        // the workers took nothing for 2 minutes: the queue drained, so 2 is lost too
        await AtAsync(3, "7 minutes", "2 minutes");
        Assert.Equal([ids[0], ids[2]], await LostAsync());

        // an accepted round overdue by the round timeout (1 h) is lost
        await AtAsync(1, "3 hours", "2 hours");
        Assert.Equal([ids[1], ids[0], ids[2]], await LostAsync());

        // the sweep re-requests them, counts it and clears the acceptance
        await using var sweepSp = Services(roundTimeoutSeconds: 3600);
        await sweepSp.GetRequiredService<ITestHarness>().Start();
        Assert.True(await sweepSp.GetRequiredService<RecoverySweep>().SweepOnceAsync(CancellationToken.None) >= 3);
        Assert.Empty(await LostAsync());
        Assert.Equal("1|true|false", await TextAsync(
            $"SELECT round_requests || '|' || (last_round_request_at IS NOT NULL) || '|' || (round_accepted_at IS NOT NULL) FROM pipeline.searches WHERE search_id = {ids[0]}"));
        await CloseAsync(run);
    }

    [Fact]
    public async Task While_an_alive_proposal_worker_is_busy_silence_is_no_loss_but_a_stale_heartbeat_or_a_later_round_accepted_before_its_batch_is()
    {
        await using var sp = Services();
        var progress = sp.GetRequiredService<SearchProgress>();
        var (run, ids) = await SubmitAsync(false, StrategyConfig.BestOfN(2), StrategyConfig.BestOfN(4), StrategyConfig.BestOfN(8));
        foreach (var id in ids) await progress.RequestCurrentRoundAsync(id, null, CancellationToken.None);
        async Task AtAsync(int i, string requested, string? accepted) => await Seed.ScalarAsync(database.DataSource,
            $"UPDATE pipeline.searches SET round_requested_at = now() - interval '{requested}', round_accepted_at = {(accepted is null ? "NULL" : $"now() - interval '{accepted}'")} WHERE search_id = {ids[i]}");
        async Task<long[]> LostAsync() => [.. (await SearchStateStore.LostAsync(database.DataSource, TimeSpan.FromSeconds(60),
            TimeSpan.FromHours(1), 100, CancellationToken.None)).Where(l => ids.Contains(l.SearchId)).Select(l => l.SearchId)];
        // a worker's heartbeat: 2 rounds in a batch it started 90 s ago (its clock runs an hour fast: only the span counts)
        async Task BeatAsync(string worker, string role, int rounds, int busyFor = 90)
        {
            var sent = DateTime.UtcNow.AddHours(1);
            await WorkerStore.UpsertAsync(database.DataSource, new WorkerHeartbeat(worker, role,
                [new ServedModel(role == WorkerRoles.Proposal ? "pol" : "prm", role == WorkerRoles.Proposal ? WorkerRoles.PolicySlot : WorkerRoles.PrmSlot, "/m.json")],
                "cuda:0", sent.AddHours(-1), sent, 15, rounds, rounds > 0 ? sent.AddSeconds(-busyFor) : null), CancellationToken.None);
        }
        try
        {
            // 0 never accepted, requested 5 minutes ago; the last round accepted (1, 2: requested before 0) was taken
            // 2 minutes ago: silence, no later round accepted. No worker reports work: lost, as before.
            await AtAsync(0, "5 minutes", null);
            await AtAsync(1, "6 minutes", "2 minutes");
            await AtAsync(2, "7 minutes", "2 minutes");
            Assert.Equal([ids[0]], await LostAsync());

            // a verifier busy on a batch says nothing about a round waiting for the expand stage; an idle proposer neither
            await BeatAsync("v:1", WorkerRoles.Verifier, 4);
            await BeatAsync("p:1", WorkerRoles.Proposal, 0);
            Assert.Equal([ids[0]], await LostAsync());
            Assert.Equal("0|4", await TextAsync("SELECT string_agg(rounds_in_flight::text, '|' ORDER BY worker_id) FROM pipeline.workers WHERE worker_id IN ('p:1', 'v:1')"));

            // an alive proposer busy on one batch for 90 s: 0 waits behind it, not lost
            await BeatAsync("p:1", WorkerRoles.Proposal, 2);
            Assert.Equal("2|90", await TextAsync(
                "SELECT rounds_in_flight || '|' || round(busy_seconds) FROM pipeline.workers_alive WHERE worker_id = 'p:1'"));
            Assert.Empty(await LostAsync());

            // a round requested after 0 and accepted into that same batch (60 s ago) is no evidence either
            await AtAsync(2, "4 minutes", "60 seconds");
            Assert.Empty(await LostAsync());

            // ... but one accepted before the batch started (3 minutes ago) is: 0 should have gone first
            await AtAsync(2, "4 minutes", "3 minutes");
            Assert.Equal([ids[0]], await LostAsync());

            // not yet while the batch is younger than the accept timeout (10 s < 60 s): 0 may be in it, its acceptance on
            // its way; once the batch has run past the timeout without accepting 0, it is lost
            await BeatAsync("p:1", WorkerRoles.Proposal, 2, busyFor: 10);
            Assert.Empty(await LostAsync());
            await BeatAsync("p:1", WorkerRoles.Proposal, 2, busyFor: 80);
            Assert.Equal([ids[0]], await LostAsync());
            await BeatAsync("p:1", WorkerRoles.Proposal, 2);

            // the busy proposer's heartbeat is stale (50 s > 3 x 15 s): silence counts again
            await AtAsync(2, "7 minutes", "2 minutes");
            Assert.Empty(await LostAsync());
            await Seed.ScalarAsync(database.DataSource, "UPDATE pipeline.workers SET last_seen_at = now() - interval '50 seconds' WHERE worker_id = 'p:1'");
            Assert.Equal([ids[0]], await LostAsync());

            // a round waiting past the round timeout is lost however busy the worker is
            await BeatAsync("p:1", WorkerRoles.Proposal, 2);
            Assert.Empty(await LostAsync());
            await AtAsync(0, "2 hours", null);
            Assert.Equal([ids[0]], await LostAsync());
        }
        finally
        {
            await Seed.ScalarAsync(database.DataSource, "DELETE FROM pipeline.workers WHERE worker_id IN ('p:1', 'v:1')");
            await CloseAsync(run);
        }
    }

    [Fact]
    public async Task A_round_a_worker_gave_up_on_is_not_re_requested_and_fails_its_search_after_the_grace_with_the_reason_unless_accepted_again()
    {
        await using var sp = Services();
        var progress = sp.GetRequiredService<SearchProgress>();
        var (run, ids) = await SubmitAsync(false, StrategyConfig.BestOfN(2), StrategyConfig.BestOfN(4));
        foreach (var id in ids) await progress.RequestCurrentRoundAsync(id, null, CancellationToken.None);
        Assert.False(await SearchStateStore.FaultedAsync(database.DataSource, ids[0], 3, "stale", CancellationToken.None));
        foreach (var id in ids)
            Assert.True(await SearchStateStore.FaultedAsync(database.DataSource, id, 0, "expand-round_error: model 'pol' is not served", CancellationToken.None));
        await Seed.ScalarAsync(database.DataSource,
            $"UPDATE pipeline.searches SET round_requested_at = now() - interval '3 hours', round_faulted_at = now() - interval '1 hour' WHERE run_id = '{run}'");
        Assert.DoesNotContain(await SearchStateStore.LostAsync(database.DataSource, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10), 100, CancellationToken.None),
            l => ids.Contains(l.SearchId));

        // search 1's message was re-queued and a worker took it: the fault is forgotten
        Assert.Equal(1, await SearchStateStore.AcceptedAsync(database.DataSource, [new RoundKey(ids[1], 0)], CancellationToken.None));
        await using var graceSp = Services();
        await graceSp.GetRequiredService<ITestHarness>().Start();
        await graceSp.GetRequiredService<RecoverySweep>().SweepOnceAsync(CancellationToken.None);

        Assert.Equal(SearchStatus.Failed, (await LoadAsync(ids[0])).Status);
        Assert.Equal("round 0 in an _error queue for over 300 s: expand-round_error: model 'pol' is not served",
            await TextAsync($"SELECT failure_reason FROM pipeline.searches WHERE search_id = {ids[0]}"));
        Assert.Equal(SearchStatus.Running, (await LoadAsync(ids[1])).Status);
        Assert.Equal("", await TextAsync($"SELECT COALESCE(failure_reason, '') FROM pipeline.searches WHERE search_id = {ids[1]}"));
        await CloseAsync(run);
    }

    [Fact]
    public async Task Requeued_rounds_of_a_run_no_longer_count_toward_the_error_grace_while_other_runs_still_fail_after_it()
    {
        await using var sp = Services();
        var progress = sp.GetRequiredService<SearchProgress>();
        var (run, ids) = await SubmitAsync(false, StrategyConfig.BestOfN(2), StrategyConfig.BestOfN(4));
        var (other, otherIds) = await SubmitAsync(false, StrategyConfig.BestOfN(2));
        foreach (var id in ids.Concat(otherIds))
        {
            await progress.RequestCurrentRoundAsync(id, null, CancellationToken.None);
            Assert.True(await SearchStateStore.FaultedAsync(database.DataSource, id, 0, "expand-round_error: model 'big' is not served", CancellationToken.None));
        }
        await Seed.ScalarAsync(database.DataSource,
            $"UPDATE pipeline.searches SET round_requested_at = now() - interval '3 hours', round_faulted_at = now() - interval '1 hour' WHERE run_id IN ('{run}', '{other}')");

        // `pipeline errors requeue --run RUN` moved the run's messages back; a slow worker has not reached them yet
        Assert.Equal(ids.Count, await SearchStateStore.RequeuedAsync(database.DataSource, run, CancellationToken.None));
        Assert.Equal(0, await SearchStateStore.RequeuedAsync(database.DataSource, run, CancellationToken.None));
        await using var graceSp = Services();
        await graceSp.GetRequiredService<ITestHarness>().Start();
        await graceSp.GetRequiredService<RecoverySweep>().SweepOnceAsync(CancellationToken.None);

        foreach (var id in ids)
        {
            Assert.Equal(SearchStatus.Running, (await LoadAsync(id)).Status);
            Assert.Equal("true", await TextAsync($"SELECT (round_faulted_at IS NULL AND round_requested_at > now() - interval '1 minute')::text FROM pipeline.searches WHERE search_id = {id}"));
        }
        Assert.Equal(SearchStatus.Failed, (await LoadAsync(otherIds[0])).Status);
        await CloseAsync(run);
        await CloseAsync(other);
    }

    /// <summary>The sweep looks at every search of the shared database: leave none of a test's rounds looking lost.</summary>
    private Task CloseAsync(Guid run) => Seed.ScalarAsync(database.DataSource,
        $"UPDATE pipeline.searches SET status = 'done', round_accepted_at = NULL WHERE run_id = '{run}'");

    private async Task<string> TextAsync(string sql)
    {
        await using var cmd = database.DataSource.CreateCommand(sql);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
