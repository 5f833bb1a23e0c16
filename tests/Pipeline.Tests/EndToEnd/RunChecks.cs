using Npgsql;

namespace Pipeline.Tests.EndToEnd;

/// <summary>What a finished run's rows must satisfy, whatever the models generated: the invariants that
/// tie steps, rounds, searches and outcomes together (exactly-once storage, complete trees).</summary>
internal static class RunChecks
{
    public static async Task WaitForRunAsync(NpgsqlDataSource db, Guid runId, TimeSpan timeout, Func<Task<string>>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await ScalarAsync<string>(db, "SELECT status FROM pipeline.runs WHERE run_id = @r", runId) == "done") return;
            await Task.Delay(250);
        }
        var states = await RowsAsync(db, "SELECT status || ':' || count(*) FROM pipeline.searches WHERE run_id = @r GROUP BY status", runId);
        Assert.Fail($"run {runId} not done after {timeout.TotalSeconds:F0} s; searches {string.Join(", ", states)}" +
                    (diagnostics is null ? "" : "; " + await diagnostics()));
    }

    /// <param name="outcomesPerSearch">Expected outcome rows per search, by strategy label.</param>
    public static async Task AssertCompleteAsync(NpgsqlDataSource db, Guid runId, IReadOnlyDictionary<string, int> outcomesPerSearch)
    {
        Assert.Equal("done", await ScalarAsync<string>(db, "SELECT status FROM pipeline.runs WHERE run_id = @r", runId));
        var unfinished = await RowsAsync(db,
            "SELECT search_id || ' ' || strategy_label || ': ' || status FROM pipeline.searches " +
            "WHERE run_id = @r AND (status <> 'done' OR finished_at IS NULL) ORDER BY search_id", runId);
        Assert.True(unfinished.Count == 0, "searches not done (the Aggregator's log says why): " + string.Join("; ", unfinished));

        // every search has rounds 0..R with no gap, and no step from a round that was not stored
        Assert.Equal(0L, await ScalarAsync<long>(db, """
            SELECT count(*) FROM pipeline.searches s
            WHERE s.run_id = @r AND (
                (SELECT count(*) FROM pipeline.search_rounds q WHERE q.search_id = s.search_id)
                <> (SELECT max(round) + 1 FROM pipeline.search_rounds q WHERE q.search_id = s.search_id)
             OR EXISTS (SELECT 1 FROM pipeline.steps t WHERE t.search_id = s.search_id
                        AND NOT EXISTS (SELECT 1 FROM pipeline.search_rounds q WHERE q.search_id = t.search_id AND q.round = t.round)))
            """, runId));

        // a round's tokens are exactly its stored steps' tokens (a duplicate round would double them or conflict)
        Assert.Equal(0L, await ScalarAsync<long>(db, """
            SELECT count(*) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND q.generated_tokens <> (
                SELECT coalesce(sum(generated_tokens + lookahead_tokens), 0) FROM pipeline.steps t
                WHERE t.search_id = q.search_id AND t.round = q.round)
            """, runId));
        // and it holds at most as many samples as it reports candidates (a sample ended by EOS at once has no step)
        Assert.Equal(0L, await ScalarAsync<long>(db, """
            SELECT count(*) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND q.candidates < (
                SELECT count(DISTINCT (request_index, sample_index)) FROM pipeline.steps t
                WHERE t.search_id = q.search_id AND t.round = q.round)
            """, runId));

        // node ids 1..n without gaps; each sample's steps are a chain 0..k-1 hanging under its parent
        Assert.Equal(0L, await ScalarAsync<long>(db, """
            SELECT count(*) FROM (
                SELECT search_id FROM pipeline.steps JOIN pipeline.searches USING (search_id) WHERE run_id = @r
                GROUP BY search_id HAVING min(node_id) <> 1 OR max(node_id) <> count(*)) x
            """, runId));
        Assert.Equal(0L, await ScalarAsync<long>(db, """
            SELECT count(*) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id)
            LEFT JOIN pipeline.steps p ON p.search_id = t.search_id AND p.node_id = t.parent_node_id
            WHERE s.run_id = @r AND (
                (t.parent_node_id IS NULL AND t.depth <> 1)
             OR (t.parent_node_id IS NOT NULL AND (p.node_id IS NULL OR t.depth <> p.depth + 1))
             OR (t.step_index > 0 AND (p.round <> t.round OR p.request_index <> t.request_index
                                       OR p.sample_index <> t.sample_index OR p.step_index <> t.step_index - 1))
             OR (t.terminal AND t.is_correct IS NULL) OR (NOT t.terminal AND t.is_correct IS NOT NULL))
            """, runId));

        // outcomes: exactly the expected rows per search
        var counts = await RowsAsync(db, """
            SELECT s.strategy_label || '|' || (SELECT count(*) FROM pipeline.outcomes o WHERE o.search_id = s.search_id)
            FROM pipeline.searches s WHERE s.run_id = @r
            """, runId);
        Assert.NotEmpty(counts);
        foreach (var row in counts)
        {
            var parts = row.Split('|');
            Assert.True(outcomesPerSearch.ContainsKey(parts[0]), $"unexpected strategy {parts[0]}");
            Assert.Equal(outcomesPerSearch[parts[0]], int.Parse(parts[1]));
        }

        // pass@N is right exactly when some terminal candidate of best-of-N is right
        Assert.Equal(0L, await ScalarAsync<long>(db, """
            SELECT count(*) FROM pipeline.outcomes o JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND s.strategy = 'best_of_n' AND o.aggregator = 'pass' AND o.budget_n = s.budget
              AND o.is_correct <> EXISTS (SELECT 1 FROM pipeline.steps t WHERE t.search_id = s.search_id AND t.terminal AND t.is_correct)
            """, runId));
        // the full budget of best-of-N costs every token of its tree
        Assert.Equal(0L, await ScalarAsync<long>(db, """
            SELECT count(*) FROM pipeline.outcomes o JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND s.strategy = 'best_of_n' AND o.budget_n = s.budget AND (
                o.generated_tokens <> (SELECT sum(generated_tokens + lookahead_tokens) FROM pipeline.steps t WHERE t.search_id = s.search_id)
             OR o.prompt_tokens <> (SELECT sum(prompt_tokens) FROM pipeline.steps t WHERE t.search_id = s.search_id)
             OR o.flops <= 0)
            """, runId));
    }

    // One line per node of every search of a run: the tree's shape, texts, costs and PRM scores.
    public const string TreeSql = """
        SELECT s.problem_id || '|' || s.strategy_label || '|' || t.node_id || '|' || coalesce(t.parent_node_id::text, '-') || '|' ||
               t.depth || '|' || t.round || '|' || t.text || '|' || t.generated_tokens || '|' || round(t.prm_score::numeric, 5) || '|' ||
               t.terminal || '|' || coalesce(t.extracted_answer, '-')
        FROM pipeline.steps t JOIN pipeline.searches s USING (search_id)
        WHERE s.run_id = @r ORDER BY s.problem_id, s.strategy_label, t.node_id
        """;

    /// <summary>A digest of every row the run owns: equal digests = nothing changed.</summary>
    public static Task<string> DigestAsync(NpgsqlDataSource db, Guid runId) => ScalarAsync<string>(db, """
        SELECT md5(
          coalesce((SELECT string_agg(t::text, ';' ORDER BY t.search_id, t.node_id) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id) WHERE s.run_id = @r), '') ||
          coalesce((SELECT string_agg(q::text, ';' ORDER BY q.search_id, q.round) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id) WHERE s.run_id = @r), '') ||
          coalesce((SELECT string_agg(o::text, ';' ORDER BY o.search_id, o.budget_n, o.aggregator, o.step_aggregation) FROM pipeline.outcomes o JOIN pipeline.searches s USING (search_id) WHERE s.run_id = @r), '') ||
          coalesce((SELECT string_agg(s::text, ';' ORDER BY s.search_id) FROM pipeline.searches s WHERE s.run_id = @r), '') ||
          (SELECT r::text FROM pipeline.runs r WHERE r.run_id = @r))
        """, runId);

    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql, Guid runId)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("r", runId);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task<List<string>> RowsAsync(NpgsqlDataSource db, string sql, Guid runId)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("r", runId);
        var rows = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add(r.GetString(0));
        return rows;
    }
}
