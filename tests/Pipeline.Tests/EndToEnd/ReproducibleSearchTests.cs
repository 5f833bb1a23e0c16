namespace Pipeline.Tests.EndToEnd;

/// <summary>Seeds derive from (run seed, problem, round, request), never from timing or batch makeup, so
/// the same spec gives the same tree: the property that makes a redone round harmless.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReproducibleSearchTests
{
    // One line per node of every search of a run: the tree's shape, texts, costs and PRM scores.
    private const string TreeSql = """
        SELECT s.problem_id || '|' || s.strategy_label || '|' || t.node_id || '|' || coalesce(t.parent_node_id::text, '-') || '|' ||
               t.depth || '|' || t.round || '|' || t.text || '|' || t.generated_tokens || '|' || round(t.prm_score::numeric, 5) || '|' ||
               t.terminal || '|' || coalesce(t.extracted_answer, '-')
        FROM pipeline.steps t JOIN pipeline.searches s USING (search_id)
        WHERE s.run_id = @r ORDER BY s.problem_id, s.strategy_label, t.node_id
        """;

    [Fact]
    public async Task A_beam_search_with_a_fixed_seed_grows_the_same_tree_twice()
    {
        await using var h = await RunHarness.StartAsync();
        await h.StartAsync(ServiceHosts.Aggregator);
        await h.StartAsync(ServiceHosts.ProposalWorker);
        await h.StartAsync(ServiceHosts.VerifierWorker);

        // a short step limit makes beams take several rounds, so the tree has depth to disagree on
        const string beam = "{ kind: beam, beam_width: 2, budgets: [4], max_rounds: 4 }";
        // duplicate filtering decides from texts and scores only, so it must reproduce as well
        const string dedup = "{ kind: beam, beam_width: 2, budgets: [4], max_rounds: 4, filter_duplicates: true }";
        var first = await h.SubmitAsync("repro-a", false, 24, beam, dedup);
        await RunChecks.WaitForRunAsync(h.Db, first, TimeSpan.FromSeconds(90));
        var second = await h.SubmitAsync("repro-b", false, 24, beam, dedup);
        await RunChecks.WaitForRunAsync(h.Db, second, TimeSpan.FromSeconds(90));

        var a = await RunChecks.RowsAsync(h.Db, TreeSql, first);
        var b = await RunChecks.RowsAsync(h.Db, TreeSql, second);
        Assert.True(a.Count > 4 * TinyRun.ProblemCount, $"expected more than one round per search, got {a.Count} nodes");
        Assert.True(a.Select(r => r.Split('|')[5]).Distinct().Count() > 1, "expected nodes from more than one round");
        Assert.Contains(a, r => r.Split('|')[1] == "beam(M=2,dedup)");
        Assert.Equal(a, b);
    }
}
