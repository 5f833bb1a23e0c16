using Npgsql;

namespace Pipeline.Tests.Storage;

/// <summary>Minimal rows (dataset, problems, run, searches) inserted with plain SQL, for tests of what sits below them.</summary>
internal static class Seed
{
    public static async Task<int> DatasetAsync(NpgsqlDataSource db, string name, params (string UniqueId, int? Level)[] problems)
    {
        await using var c = await db.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        int id;
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO pipeline.datasets (name, format, source_file, problem_count, imported_at) VALUES (@n, 'math', 'seed', @c, now()) RETURNING dataset_id", c, tx))
        {
            cmd.Parameters.AddWithValue("n", name);
            cmd.Parameters.AddWithValue("c", problems.Length);
            id = (int)(await cmd.ExecuteScalarAsync())!;
        }
        for (var i = 0; i < problems.Length; i++)
        {
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO pipeline.problems (dataset_id, ordinal, unique_id, problem, answer, level) VALUES (@d, @o, @u, 'p', '1', @l)", c, tx);
            cmd.Parameters.AddWithValue("d", id);
            cmd.Parameters.AddWithValue("o", i);
            cmd.Parameters.AddWithValue("u", problems[i].UniqueId);
            cmd.Parameters.AddWithValue("l", (object?)problems[i].Level ?? DBNull.Value);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return id;
    }

    public static async Task<Guid> RunAsync(NpgsqlDataSource db, int datasetId, string name = "seeded")
    {
        var runId = Guid.NewGuid();
        await using var cmd = db.CreateCommand("""
            INSERT INTO pipeline.runs (run_id, name, dataset_id, spec_json, policy_model, prm_model, policy_model_path, prm_model_path,
                policy_parameters, prm_parameters, temperature, top_p, max_new_tokens, max_steps, seed, status, created_at)
            VALUES (@id, @name, @d, '{}', 'pol', 'prm', 'p.json', 'r.json', 10, 20, 0.8, 1, 32, 8, 1, 'submitted', now())
            """);
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("name", name);
        cmd.Parameters.AddWithValue("d", datasetId);
        await cmd.ExecuteNonQueryAsync();
        return runId;
    }

    /// <summary>One search per problem of the dataset with the given label and budget; returns search ids in problem order.</summary>
    public static async Task<IReadOnlyList<long>> SearchesAsync(NpgsqlDataSource db, Guid runId, string label, int budget, string status = "pending")
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO pipeline.searches (run_id, problem_id, strategy, strategy_label, budget, beam_width_is_sqrt, lookahead, max_rounds, status)
            SELECT @run, p.problem_id, 'best_of_n', @label, @budget, false, 0, 40, @status
            FROM pipeline.problems p JOIN pipeline.runs r ON r.dataset_id = p.dataset_id
            WHERE r.run_id = @run ORDER BY p.ordinal
            RETURNING search_id
            """);
        cmd.Parameters.AddWithValue("run", runId);
        cmd.Parameters.AddWithValue("label", label);
        cmd.Parameters.AddWithValue("budget", budget);
        cmd.Parameters.AddWithValue("status", status);
        var ids = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(r.GetInt64(0));
        return ids;
    }

    public static async Task OutcomeAsync(NpgsqlDataSource db, long searchId, int budgetN, string aggregator, string stepAggregation, bool correct, long tokens = 100)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO pipeline.outcomes (search_id, budget_n, aggregator, step_aggregation, chosen_answer, is_correct, generated_tokens, prompt_tokens, flops)
            VALUES (@s, @n, @a, @sa, 'x', @c, @t, 10, 1e6)
            """);
        cmd.Parameters.AddWithValue("s", searchId);
        cmd.Parameters.AddWithValue("n", budgetN);
        cmd.Parameters.AddWithValue("a", aggregator);
        cmd.Parameters.AddWithValue("sa", stepAggregation);
        cmd.Parameters.AddWithValue("c", correct);
        cmd.Parameters.AddWithValue("t", tokens);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
