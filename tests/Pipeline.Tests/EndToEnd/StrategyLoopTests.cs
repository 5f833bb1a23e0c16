namespace Pipeline.Tests.EndToEnd;

/// <summary>The multi-round strategies through the same message loop as best-of-N, on the real models.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class StrategyLoopTests
{
    // per budget: pass and majority once, then each score-reading aggregator under last/min/prod/mean
    private const int RowsPerBudget = 2 + 2 * 4;

    private static async Task<(RunHarness Harness, Guid RunId)> RunAsync(bool withRevision, params string[] strategies)
    {
        var h = await RunHarness.StartAsync();
        await h.StartAsync(ServiceHosts.Aggregator);
        await h.StartAsync(ServiceHosts.ProposalWorker);
        await h.StartAsync(ServiceHosts.VerifierWorker);
        var runId = await h.SubmitAsync("loop", withRevision, strategies);
        await RunChecks.WaitForRunAsync(h.Db, runId, TimeSpan.FromSeconds(90));
        return (h, runId);
    }

    [Fact]
    public async Task Lookahead_and_dvts_run_round_after_round_to_their_outcomes()
    {
        var (h, runId) = await RunAsync(false,
            "{ kind: lookahead, beam_width: 2, lookahead: 1, budgets: [4], max_rounds: 3 }",
            "{ kind: dvts, beam_width: 2, budgets: [4], max_rounds: 3 }");
        await using var _ = h;

        await RunChecks.AssertCompleteAsync(h.Db, runId, new Dictionary<string, int>
        {
            ["lookahead(M=2,k=1)"] = RowsPerBudget,  // budget 4 only
            ["dvts(M=2)"] = 2 * RowsPerBudget,       // nested budgets 2 and 4 (multiples of M)
        });
        // lookahead: every step of a step-mode round that did not end its solution carries its rollout's tokens and score
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(h.Db, """
            SELECT count(*) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND s.strategy = 'lookahead' AND t.round < s.max_rounds - 1 AND NOT t.terminal
              AND (t.lookahead_score IS NULL OR t.lookahead_tokens <= 0)
            """, runId));
        // DVTS: round 0 has N/M = 2 requests (subtrees) of M = 2 samples
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(h.Db, """
            SELECT count(*) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND s.strategy = 'dvts' AND q.round = 0 AND q.candidates <> 4
            """, runId));
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(h.Db, """
            SELECT count(*) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND s.strategy = 'dvts' AND t.round = 0 AND t.request_index > 1
            """, runId));
    }

    [Fact]
    public async Task Revisions_chain_attempts_through_the_revision_model_to_their_outcomes()
    {
        var (h, runId) = await RunAsync(true, "{ kind: revisions, chain_length: 2, budgets: [4] }");
        await using var _ = h;

        // revisions report the 'hierarchical' aggregator (src/Search OutcomeEvaluator); the outcomes table must take it
        var check = await RunChecks.ScalarAsync<string>(h.Db,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'ck_outcomes_aggregator' AND @r IS NOT NULL", runId);
        Assert.True(check.Contains("hierarchical"),
            $"pipeline.outcomes check constraint ck_outcomes_aggregator is '{check}': it must allow 'hierarchical' (a Storage migration), " +
            "else every revisions search fails when its outcomes are written");

        await RunChecks.AssertCompleteAsync(h.Db, runId, new Dictionary<string, int>
        {
            ["revisions(L=2)"] = 2 + 3 * 4, // pass, majority, then weighted/naive/hierarchical x last/min/prod/mean
        });
        // round 1 holds one new attempt per chain (N/L = 2), each hanging under an attempt of round 0
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(h.Db, """
            SELECT count(*) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id)
            WHERE s.run_id = @r AND (q.round > 1 OR (q.round = 0 AND q.candidates <> 2) OR (q.round = 1 AND q.candidates > 2))
            """, runId));
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(h.Db, """
            SELECT count(*) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id)
            JOIN pipeline.steps p ON p.search_id = t.search_id AND p.node_id = t.parent_node_id
            WHERE s.run_id = @r AND t.round = 1 AND t.step_index = 0 AND p.round <> 0
            """, runId));
    }
}
