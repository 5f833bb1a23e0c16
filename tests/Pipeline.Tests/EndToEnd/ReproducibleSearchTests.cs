namespace Pipeline.Tests.EndToEnd;

/// <summary>Seeds derive from (run seed, problem, round, request), never from timing or batch makeup, so
/// the same spec gives the same tree: the property that makes a redone round harmless.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReproducibleSearchTests
{
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

        var a = await RunChecks.RowsAsync(h.Db, RunChecks.TreeSql, first);
        var b = await RunChecks.RowsAsync(h.Db, RunChecks.TreeSql, second);
        Assert.True(a.Count > 4 * TinyRun.ProblemCount, $"expected more than one round per search, got {a.Count} nodes");
        Assert.True(a.Select(r => r.Split('|')[5]).Distinct().Count() > 1, "expected nodes from more than one round");
        Assert.Contains(a, r => r.Split('|')[1] == "beam(M=2,dedup)");
        Assert.Equal(a, b);
    }
}
