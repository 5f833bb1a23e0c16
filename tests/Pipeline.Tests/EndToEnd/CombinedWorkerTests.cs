using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.EndToEnd;

/// <summary>The combined worker (src/CombinedWorker: the policy and the PRM in one process, for one GPU) as a real
/// process on the tiny ONNX models: it alone serves a run, grows exactly the trees the two separate workers grow
/// for the same spec, and announces both roles.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class CombinedWorkerTests
{
    [Fact]
    public async Task One_process_serving_both_models_grows_the_same_trees_as_the_two_workers()
    {
        await using var h = await RunHarness.StartAsync(new Dictionary<string, string?> { ["WorkerHeartbeat:IntervalSeconds"] = "2" });
        await h.StartAsync(ServiceHosts.Aggregator);
        string[] strategies =
        [
            "{ kind: best_of_n, budgets: [4] }",
            "{ kind: beam, beam_width: 2, budgets: [4], max_rounds: 4 }",
        ];

        var proposal = await h.StartAsync(ServiceHosts.ProposalWorker);
        var verifier = await h.StartAsync(ServiceHosts.VerifierWorker);
        var separate = await h.SubmitAsync("separate", false, 24, strategies);
        await RunChecks.WaitForRunAsync(h.Db, separate, TimeSpan.FromSeconds(120));
        await h.StopAsync(proposal);
        await h.StopAsync(verifier);

        await using var combined = new ServiceProcess("CombinedWorker", "combined-worker", h.Config, h.Folder);
        combined.Start();
        var run = await h.SubmitAsync("combined", false, 24, strategies);
        await RunChecks.WaitForRunAsync(h.Db, run, TimeSpan.FromSeconds(120), () => Task.FromResult(combined.LogTail()));

        var a = await RunChecks.RowsAsync(h.Db, RunChecks.TreeSql, separate);
        var b = await RunChecks.RowsAsync(h.Db, RunChecks.TreeSql, run);
        Assert.True(a.Count > 4 * TinyRun.ProblemCount, $"expected several nodes per search, got {a.Count}");
        Assert.Equal(a, b);

        // one process, two roles: a heartbeat per role under one worker id, both alive
        var roles = await RunChecks.RowsAsync(h.Db, """
            SELECT worker_id || '|' || role || '|' || model_slot || '|' || alive FROM pipeline.worker_status
            WHERE alive AND @r IS NOT NULL ORDER BY role, model_slot
            """, run);
        var live = roles.Select(r => r.Split('|')).Where(r => r[1] is "proposal" or "verifier").ToList();
        Assert.Contains(live, r => r[1] == "proposal" && r[2] == "policy");
        Assert.Contains(live, r => r[1] == "verifier" && r[2] == "prm");
        Assert.Single(live.Select(r => r[0]).Distinct());
    }
}
