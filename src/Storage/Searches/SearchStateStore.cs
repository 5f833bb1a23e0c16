using Npgsql;
using NpgsqlTypes;
using Pipeline.Contracts;
using Pipeline.Search;
using Pipeline.Search.Aggregation;

namespace Pipeline.Storage.Searches;

/// <summary>
/// The one owner of search and run state in PostgreSQL: reads a search for the Aggregator, stores its rounds
/// and outcomes, and moves it (and its run) through its statuses, one method per transition:
/// <see cref="RequestedAsync"/>, <see cref="FinishedAsync"/>, <see cref="FailedAsync"/>,
/// <see cref="ReopenFailedAsync"/>, <see cref="AcceptedAsync"/> and <see cref="FaultedAsync"/> from the workers' reports, and
/// <see cref="LostAsync"/> and <see cref="FaultedPastGraceAsync"/> for the recovery sweep.
/// Plain Npgsql (EF adds nothing to these few statements; steps go through binary COPY). Calls that take a connection
/// and transaction run inside the caller's.
/// </summary>
public static class SearchStateStore
{
    /// <summary>Loads a search and locks its row until the transaction ends: two deliveries for one search
    /// (a duplicate, a recovery re-request) then run one after the other, never interleaved.</summary>
    public static async Task<SearchState?> LockAsync(NpgsqlConnection c, NpgsqlTransaction tx, long searchId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT s.search_id, s.run_id, s.problem_id, p.problem, p.answer, s.status, s.current_round,
                   s.strategy, s.budget, s.beam_width, s.beam_width_is_sqrt, s.lookahead, s.chain_length, s.max_rounds, s.filter_duplicates,
                   r.policy_model, r.prm_model, r.revision_model,
                   r.policy_parameters, r.prm_parameters, r.revision_parameters,
                   r.temperature, r.top_p, r.max_new_tokens, r.max_steps, r.seed,
                   EXTRACT(EPOCH FROM now() - s.round_requested_at)::float8 AS round_age_seconds,
                   r.spec_json ->> 'system_prompt' AS system_prompt
            FROM pipeline.searches s
            JOIN pipeline.problems p ON p.problem_id = s.problem_id
            JOIN pipeline.runs r ON r.run_id = s.run_id
            WHERE s.search_id = @id
            FOR UPDATE OF s
            """, c, tx);
        cmd.Parameters.AddWithValue("id", searchId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;

        var temperature = r.Read<float>("temperature");
        var strategy = new StrategyConfig(
            StrategyKinds.Parse(r.Read<string>("strategy")),
            r.Read<int>("budget"),
            r.Read<bool>("beam_width_is_sqrt") ? null : r.ReadNullable<int>("beam_width"),
            r.Read<int>("lookahead"),
            r.ReadNullable<int>("chain_length") ?? 0,
            r.Read<int>("max_rounds"),
            temperature,
            r.Read<bool>("filter_duplicates"));
        var revisionModel = r.ReadNullableString("revision_model");
        return new SearchState(
            r.Read<long>("search_id"), r.Read<Guid>("run_id"), r.Read<long>("problem_id"),
            r.Read<string>("problem"), r.Read<string>("answer"),
            StatusNames.ParseSearchStatus(r.Read<string>("status")), r.Read<int>("current_round"),
            strategy, r.Read<string>("policy_model"), r.Read<string>("prm_model"), revisionModel,
            new SamplingSettings(temperature, r.Read<float>("top_p"), r.Read<int>("max_new_tokens"), r.Read<int>("max_steps")),
            r.Read<long>("seed"),
            new ModelSizes(r.Read<long>("policy_parameters"), r.Read<long>("prm_parameters"),
                revisionModel is null ? 0 : r.ReadNullable<long>("revision_parameters") ?? 0),
            r.ReadNullable<double>("round_age_seconds"),
            r.ReadNullableString("system_prompt"));
    }

    /// <summary>The search's stored steps as tree nodes, in node order; lookahead search ranks by the rollout's score.</summary>
    public static async Task<List<TreeNode>> LoadTreeAsync(NpgsqlConnection c, NpgsqlTransaction tx, long searchId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT node_id, parent_node_id, depth, round, request_index, sample_index, text,
                   COALESCE(lookahead_score, prm_score) AS score, terminal, extracted_answer,
                   generated_tokens, prompt_tokens, lookahead_tokens
            FROM pipeline.steps WHERE search_id = @id ORDER BY node_id
            """, c, tx);
        cmd.Parameters.AddWithValue("id", searchId);
        var nodes = new List<TreeNode>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            nodes.Add(new TreeNode(
                r.Read<long>("node_id"), r.ReadNullable<long>("parent_node_id"), r.Read<int>("depth"), r.Read<int>("round"),
                r.Read<int>("request_index"), r.Read<int>("sample_index"), r.Read<string>("text"), r.Read<float>("score"),
                r.Read<bool>("terminal"), r.ReadNullableString("extracted_answer"),
                r.Read<int>("generated_tokens"), r.Read<int>("prompt_tokens"), r.Read<int>("lookahead_tokens")));
        return nodes;
    }

    /// <summary>Claims a round; false when it is already stored (a duplicate delivery).</summary>
    public static async Task<bool> TryInsertRoundAsync(NpgsqlConnection c, NpgsqlTransaction tx,
        long searchId, int round, int candidates, long generatedTokens, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO pipeline.search_rounds (search_id, round, completed_at, candidates, generated_tokens)
            VALUES (@s, @r, now(), @c, @g) ON CONFLICT DO NOTHING
            """, c, tx);
        cmd.Parameters.AddWithValue("s", searchId);
        cmd.Parameters.AddWithValue("r", round);
        cmd.Parameters.AddWithValue("c", candidates);
        cmd.Parameters.AddWithValue("g", generatedTokens);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public static Task<int> WriteStepsAsync(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyList<Entities.Step> rows, CancellationToken ct) =>
        StepRowWriter.WriteAsync(c, tx, rows, ct);

    public static async Task InsertOutcomesAsync(NpgsqlConnection c, NpgsqlTransaction tx, long searchId, IReadOnlyList<OutcomeRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var batch = new NpgsqlBatch(c, tx);
        foreach (var o in rows)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO pipeline.outcomes (search_id, budget_n, aggregator, step_aggregation, chosen_answer, is_correct,
                                               generated_tokens, prompt_tokens, flops)
                VALUES (@s, @n, @a, @sa, @ans, @ok, @g, @p, @f) ON CONFLICT DO NOTHING
                """);
            cmd.Parameters.AddWithValue("s", searchId);
            cmd.Parameters.AddWithValue("n", o.BudgetN);
            cmd.Parameters.AddWithValue("a", o.Aggregator.Name());
            cmd.Parameters.AddWithValue("sa", o.StepAggregation.Name());
            cmd.Parameters.Add(new NpgsqlParameter("ans", NpgsqlDbType.Text) { Value = (object?)o.ChosenAnswer ?? DBNull.Value });
            cmd.Parameters.AddWithValue("ok", o.IsCorrect);
            cmd.Parameters.AddWithValue("g", o.GeneratedTokens);
            cmd.Parameters.AddWithValue("p", o.PromptTokens);
            cmd.Parameters.AddWithValue("f", o.Flops);
            batch.BatchCommands.Add(cmd);
        }
        await using (batch) await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>pending|running -> running: round <paramref name="round"/> is requested now; the run becomes running.
    /// Requesting the current round again counts one more re-request (and keeps a worker's fault on it); a new round starts at 0.</summary>
    public static async Task RequestedAsync(NpgsqlConnection c, NpgsqlTransaction tx, SearchState search, int round, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE pipeline.searches
            SET round_requests = CASE WHEN status = @running AND current_round = @r THEN round_requests + 1 ELSE 0 END,
                last_round_request_at = CASE WHEN status = @running AND current_round = @r THEN now() END,
                round_accepted_at = NULL,
                round_faulted_at = CASE WHEN status = @running AND current_round = @r THEN round_faulted_at END,
                failure_reason = CASE WHEN status = @running AND current_round = @r THEN failure_reason END,
                status = @running, current_round = @r, round_requested_at = now(), started_at = COALESCE(started_at, now())
            WHERE search_id = @s;
            UPDATE pipeline.runs SET status = @run_running WHERE run_id = @run AND status = @submitted;
            """, c, tx);
        cmd.Parameters.AddWithValue("s", search.SearchId);
        cmd.Parameters.AddWithValue("r", round);
        cmd.Parameters.AddWithValue("run", search.RunId);
        cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
        cmd.Parameters.AddWithValue("run_running", RunStatus.Running.Name());
        cmd.Parameters.AddWithValue("submitted", RunStatus.Submitted.Name());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>running -> done (its outcomes are written in the same transaction); closes the run if it was the last open search.</summary>
    public static Task FinishedAsync(NpgsqlConnection c, NpgsqlTransaction tx, SearchState search, CancellationToken ct) =>
        EndAsync(c, tx, search, SearchStatus.Done, null, ct);

    /// <summary>pending|running -> failed; closes the run if it was the last open search.</summary>
    public static Task FailedAsync(NpgsqlConnection c, NpgsqlTransaction tx, SearchState search, string reason, CancellationToken ct) =>
        EndAsync(c, tx, search, SearchStatus.Failed, reason, ct);

    /// <summary>The run row is locked first, so of two searches finishing at once the later one sees the
    /// other's commit and closes the run.</summary>
    private static async Task EndAsync(NpgsqlConnection c, NpgsqlTransaction tx, SearchState search, SearchStatus status, string? reason, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE pipeline.searches SET status = @st, finished_at = now(), started_at = COALESCE(started_at, now()), failure_reason = @reason
            WHERE search_id = @s;
            SELECT 1 FROM pipeline.runs WHERE run_id = @run FOR UPDATE;
            UPDATE pipeline.runs SET status = @run_done, finished_at = now()
            WHERE run_id = @run AND status <> @run_done
              AND NOT EXISTS (SELECT 1 FROM pipeline.searches WHERE run_id = @run AND status NOT IN (@done, @failed));
            """, c, tx);
        cmd.Parameters.AddWithValue("s", search.SearchId);
        cmd.Parameters.AddWithValue("st", status.Name());
        cmd.Parameters.Add(new NpgsqlParameter("reason", NpgsqlDbType.Text) { Value = (object?)reason ?? DBNull.Value });
        cmd.Parameters.AddWithValue("run", search.RunId);
        cmd.Parameters.AddWithValue("run_done", RunStatus.Done.Name());
        cmd.Parameters.AddWithValue("done", SearchStatus.Done.Name());
        cmd.Parameters.AddWithValue("failed", SearchStatus.Failed.Name());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>failed -> running for every failed search of a run (<c>pipeline run resume --retry-failed</c>), their
    /// stored rounds kept, and the run reopened; a SearchRequested then makes the Aggregator re-request the current
    /// round, as it does for a stalled search. Returns how many were reopened.</summary>
    public static async Task<int> ReopenFailedAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        int reopened;
        await using (var cmd = new NpgsqlCommand(
            "UPDATE pipeline.searches SET status = @running, finished_at = NULL, round_requested_at = NULL, round_accepted_at = NULL, round_requests = 0, last_round_request_at = NULL, round_faulted_at = NULL, failure_reason = NULL WHERE run_id = @r AND status = @failed", c, tx))
        {
            cmd.Parameters.AddWithValue("r", runId);
            cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
            cmd.Parameters.AddWithValue("failed", SearchStatus.Failed.Name());
            reopened = await cmd.ExecuteNonQueryAsync(ct);
        }
        if (reopened > 0)
        {
            await using var run = new NpgsqlCommand(
                "UPDATE pipeline.runs SET status = @running, finished_at = NULL WHERE run_id = @r AND status = @done", c, tx);
            run.Parameters.AddWithValue("r", runId);
            run.Parameters.AddWithValue("running", RunStatus.Running.Name());
            run.Parameters.AddWithValue("done", RunStatus.Done.Name());
            await run.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return reopened;
    }

    /// <summary>A worker took these rounds into a batch: marks each still-current round accepted and clears a fault
    /// recorded on it (its message was re-queued from an _error queue). Returns how many rounds were current.</summary>
    public static async Task<int> AcceptedAsync(NpgsqlDataSource db, IReadOnlyList<RoundKey> rounds, CancellationToken ct)
    {
        if (rounds.Count == 0) return 0;
        await using var cmd = db.CreateCommand("""
            UPDATE pipeline.searches s SET round_accepted_at = now(), round_faulted_at = NULL, failure_reason = NULL
            FROM unnest(@ids, @rounds) AS a(search_id, round)
            WHERE s.search_id = a.search_id AND s.current_round = a.round AND s.status = @running
            """);
        cmd.Parameters.AddWithValue("ids", rounds.Select(r => r.SearchId).ToArray());
        cmd.Parameters.AddWithValue("rounds", rounds.Select(r => r.Round).ToArray());
        cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A worker gave up on a round (a Fault published as its message went to an _error queue): notes
    /// when (the first fault) and why, if the round is still the search's current one. True when it was.</summary>
    public static async Task<bool> FaultedAsync(NpgsqlDataSource db, long searchId, int round, string reason, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE pipeline.searches SET round_faulted_at = COALESCE(round_faulted_at, now()), failure_reason = @reason
            WHERE search_id = @s AND current_round = @r AND status = @running
            """);
        cmd.Parameters.AddWithValue("s", searchId);
        cmd.Parameters.AddWithValue("r", round);
        cmd.Parameters.AddWithValue("reason", reason);
        cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Messages were moved from the _error queues back to their queues (<c>pipeline errors requeue</c>): the
    /// faulted rounds of the running searches (of <paramref name="run"/>, or all) are waiting in a queue again, so
    /// their grace stops counting and they are treated as requested now. Otherwise a backlog that a worker takes
    /// longer than the grace to reach would fail searches whose rounds are no longer in any _error queue; a round
    /// given up on again records a fresh fault. Returns how many searches were cleared.</summary>
    public static async Task<int> RequeuedAsync(NpgsqlDataSource db, Guid? run, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE pipeline.searches SET round_faulted_at = NULL, round_requested_at = now()
            WHERE status = @running AND round_faulted_at IS NOT NULL AND (@run::uuid IS NULL OR run_id = @run::uuid)
            """);
        cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
        cmd.Parameters.Add(new NpgsqlParameter("run", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)run ?? DBNull.Value });
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Running searches whose current round a worker gave up on more than <paramref name="grace"/> ago,
    /// with the worker's reason: nobody re-queued the round from the _error queue in time.</summary>
    public static async Task<List<(long SearchId, int Round, string Reason)>> FaultedPastGraceAsync(NpgsqlDataSource db, TimeSpan grace, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT search_id, current_round, COALESCE(failure_reason, 'a worker gave up on the round') AS reason
            FROM pipeline.searches
            WHERE status = @running AND round_faulted_at < now() - @t
            ORDER BY round_faulted_at LIMIT @n
            """);
        cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
        cmd.Parameters.AddWithValue("t", grace);
        cmd.Parameters.AddWithValue("n", limit);
        var rows = new List<(long, int, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) rows.Add((r.Read<long>("search_id"), r.Read<int>("current_round"), r.Read<string>("reason")));
        return rows;
    }

    /// <summary>Running searches whose current round looks lost, oldest request first, with how often it was
    /// re-requested already. A round counts as lost when no worker accepted it within <paramref name="acceptTimeout"/>
    /// of its request and there is evidence that it is not merely waiting its turn in a queue: a round requested
    /// after it was accepted at least <paramref name="acceptTimeout"/> ago (queues are first in, first out), or no
    /// worker accepted any round for <paramref name="acceptTimeout"/> (the queue drained, or the workers went away;
    /// before any worker ever accepted a round only <paramref name="roundTimeout"/> applies, so runs may start before their workers).
    /// A round accepted but not back after <paramref name="roundTimeout"/> is taken for lost too (a worker died
    /// mid-batch, the ScoreRound or RoundScored went missing). Rounds a worker gave up on are left to the grace
    /// of <see cref="FaultedPastGraceAsync"/>: re-requesting them would only fill the _error queue.
    /// <para>A worker busy on one batch longer than <paramref name="acceptTimeout"/> accepts nothing meanwhile, and
    /// the rounds queued behind it are slow, not lost. An unaccepted round waits for the expand stage (the score
    /// stage's acceptance comes after the expand stage's, which already set round_accepted_at), so while an alive
    /// proposal worker (table workers: heard from within 3 heartbeat intervals, database clock) reports a batch in
    /// flight: silence is no evidence, and a later round accepted is evidence only when accepted before that batch
    /// started (one heartbeat interval earlier, for the heartbeat's own delay): a later round in the running batch
    /// says nothing, as rounds requested at about the same time may reach the queue in either order. And only once that
    /// batch has run for <paramref name="acceptTimeout"/>: the round may be in it, its acceptance still on its way to
    /// the Aggregator while the heartbeat already told of the batch. A worker hung on
    /// its batch still heartbeats; <paramref name="roundTimeout"/> catches its rounds and those queued behind it.</para></summary>
    public static async Task<List<(long SearchId, int Round, int Requests)>> LostAsync(NpgsqlDataSource db,
        TimeSpan acceptTimeout, TimeSpan roundTimeout, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            WITH last_accept AS (SELECT max(round_accepted_at) AS at FROM pipeline.searches),
                 busy AS (SELECT min(w.busy_since - make_interval(secs => w.interval_seconds)) AS since
                          FROM pipeline.workers w
                          WHERE w.role = @proposal AND w.rounds_in_flight > 0
                            AND w.last_seen_at >= now() - make_interval(secs => 3 * w.interval_seconds))
            SELECT s.search_id, s.current_round, s.round_requests FROM pipeline.searches s, last_accept, busy
            WHERE s.status = @running AND s.round_faulted_at IS NULL AND (
                  COALESCE(s.round_accepted_at, s.round_requested_at) < now() - @round
               OR (s.round_accepted_at IS NULL AND s.round_requested_at < now() - @accept
                   AND ((last_accept.at < now() - @accept AND busy.since IS NULL)
                        OR EXISTS (SELECT 1 FROM pipeline.searches o
                                   WHERE o.round_requested_at > s.round_requested_at AND o.round_accepted_at < now() - @accept
                                     AND (busy.since IS NULL OR (o.round_accepted_at < busy.since AND busy.since < now() - @accept))))))
            ORDER BY s.round_requested_at LIMIT @n
            """);
        cmd.Parameters.AddWithValue("proposal", WorkerRoles.Proposal);
        cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
        cmd.Parameters.AddWithValue("accept", acceptTimeout);
        cmd.Parameters.AddWithValue("round", roundTimeout);
        cmd.Parameters.AddWithValue("n", limit);
        var ids = new List<(long, int, int)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) ids.Add((r.Read<long>("search_id"), r.Read<int>("current_round"), r.Read<int>("round_requests")));
        return ids;
    }
}
