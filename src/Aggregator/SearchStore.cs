using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Pipeline.Contracts;
using Pipeline.Search;
using Pipeline.Storage;

namespace Pipeline.Aggregator;

/// <summary>The Aggregator's SQL over the pipeline schema (plain Npgsql: EF adds nothing to these few
/// statements, and steps go through binary COPY). Every call runs inside the caller's transaction.</summary>
public static class SearchStore
{
    /// <summary>Loads a search and locks its row until the transaction ends: two deliveries for one search
    /// (a duplicate, a recovery re-request) then run one after the other, never interleaved.</summary>
    public static async Task<SearchSpec?> LockAsync(NpgsqlConnection c, NpgsqlTransaction tx, long searchId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT s.search_id, s.run_id, s.problem_id, p.problem, p.answer, s.status, s.current_round,
                   s.strategy_label, s.budget, s.max_rounds,
                   r.policy_model, r.prm_model, r.revision_model, r.revision_model_path,
                   r.policy_parameters, r.prm_parameters, r.temperature, r.top_p, r.max_new_tokens, r.max_steps, r.seed,
                   EXTRACT(EPOCH FROM now() - s.round_requested_at)::float8,
                   r.spec_json ->> 'system_prompt'
            FROM pipeline.searches s
            JOIN pipeline.problems p ON p.problem_id = s.problem_id
            JOIN pipeline.runs r ON r.run_id = s.run_id
            WHERE s.search_id = @id
            FOR UPDATE OF s
            """, c, tx);
        cmd.Parameters.AddWithValue("id", searchId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var temperature = r.GetFloat(16);
        var strategy = StrategyConfig.FromLabel(r.GetString(7), r.GetInt32(8), r.GetInt32(9), temperature);
        var revisionModel = r.IsDBNull(12) ? null : r.GetString(12);
        var revisionPath = r.IsDBNull(13) ? null : r.GetString(13);
        var policyParameters = r.GetInt64(14);
        return new SearchSpec(
            r.GetInt64(0), r.GetGuid(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt32(6),
            strategy, r.GetString(10), r.GetString(11), revisionModel,
            new SamplingSettings(temperature, r.GetFloat(17), r.GetInt32(18), r.GetInt32(19)),
            r.GetInt64(20),
            new ModelSizes(policyParameters, r.GetInt64(15),
                revisionModel is null ? 0 : ManifestParameterCount(revisionPath) ?? policyParameters),
            r.IsDBNull(21) ? null : r.GetDouble(21),
            r.IsDBNull(22) ? null : r.GetString(22));
    }

    /// <summary>The runs table has no revision parameter count; the manifest it names has one. When the
    /// file is not reachable from here, the policy's count stands in (the tiny models share one size).</summary>
    private static long? ManifestParameterCount(string? path)
    {
        try
        {
            if (path is null || !File.Exists(path)) return null;
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("parameter_count", out var p) ? p.GetInt64() : null;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    public static async Task<List<TreeNode>> LoadTreeAsync(NpgsqlConnection c, NpgsqlTransaction tx, long searchId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT node_id, parent_node_id, depth, round, request_index, sample_index, text,
                   COALESCE(lookahead_score, prm_score), terminal, extracted_answer,
                   generated_tokens, prompt_tokens, lookahead_tokens
            FROM pipeline.steps WHERE search_id = @id ORDER BY node_id
            """, c, tx);
        cmd.Parameters.AddWithValue("id", searchId);
        var nodes = new List<TreeNode>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            nodes.Add(new TreeNode(
                r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5),
                r.GetString(6), r.GetFloat(7), r.GetBoolean(8), r.IsDBNull(9) ? null : r.GetString(9),
                r.GetInt32(10), r.GetInt32(11), r.GetInt32(12)));
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

    public static Task<int> WriteStepsAsync(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyList<StepRow> rows, CancellationToken ct) =>
        StepRowWriter.WriteAsync(c, tx, rows, ct);

    public static async Task MarkRequestedAsync(NpgsqlConnection c, NpgsqlTransaction tx, SearchSpec spec, int round, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE pipeline.searches
            SET status = 'running', current_round = @r, round_requested_at = now(), started_at = COALESCE(started_at, now())
            WHERE search_id = @s;
            UPDATE pipeline.runs SET status = 'running' WHERE run_id = @run AND status = 'submitted';
            """, c, tx);
        cmd.Parameters.AddWithValue("s", spec.SearchId);
        cmd.Parameters.AddWithValue("r", round);
        cmd.Parameters.AddWithValue("run", spec.RunId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

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
            cmd.Parameters.AddWithValue("a", o.Aggregator);
            cmd.Parameters.AddWithValue("sa", o.StepAggregation);
            cmd.Parameters.Add(new NpgsqlParameter("ans", NpgsqlDbType.Text) { Value = (object?)o.ChosenAnswer ?? DBNull.Value });
            cmd.Parameters.AddWithValue("ok", o.IsCorrect);
            cmd.Parameters.AddWithValue("g", o.GeneratedTokens);
            cmd.Parameters.AddWithValue("p", o.PromptTokens);
            cmd.Parameters.AddWithValue("f", o.Flops);
            batch.BatchCommands.Add(cmd);
        }
        await using (batch) await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Ends a search ('done' or 'failed'); the run is done once none of its searches is left open.
    /// The run row is locked first, so of two searches finishing at once the later one sees the other's
    /// commit and closes the run.</summary>
    public static async Task FinishAsync(NpgsqlConnection c, NpgsqlTransaction tx, SearchSpec spec, string status, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE pipeline.searches SET status = @st, finished_at = now(), started_at = COALESCE(started_at, now())
            WHERE search_id = @s;
            SELECT 1 FROM pipeline.runs WHERE run_id = @run FOR UPDATE;
            UPDATE pipeline.runs SET status = 'done', finished_at = now()
            WHERE run_id = @run AND status <> 'done'
              AND NOT EXISTS (SELECT 1 FROM pipeline.searches WHERE run_id = @run AND status NOT IN ('done', 'failed'));
            """, c, tx);
        cmd.Parameters.AddWithValue("s", spec.SearchId);
        cmd.Parameters.AddWithValue("st", status);
        cmd.Parameters.AddWithValue("run", spec.RunId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Running searches whose requested round is overdue, oldest request first.</summary>
    public static async Task<List<(long SearchId, int Round)>> StalledAsync(NpgsqlDataSource db, TimeSpan timeout, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT search_id, current_round FROM pipeline.searches
            WHERE status = 'running' AND round_requested_at < now() - @t
            ORDER BY round_requested_at LIMIT @n
            """);
        cmd.Parameters.AddWithValue("t", timeout);
        cmd.Parameters.AddWithValue("n", limit);
        var ids = new List<(long, int)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) ids.Add((r.GetInt64(0), r.GetInt32(1)));
        return ids;
    }
}
