namespace Pipeline.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class UnservedRoundTests
{
    [Fact]
    public async Task Rounds_no_worker_can_serve_fail_their_searches_after_the_allowed_re_requests()
    {
        const int maxRequests = 2;
        await using var h = await RunHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Aggregator:RoundTimeoutSeconds"] = "1",
            ["Aggregator:RecoveryIntervalSeconds"] = "0.3",
            ["Aggregator:MaxRoundRequests"] = maxRequests.ToString(),
            // this proposal worker serves only the revision model, so every policy round is refused
            ["Models:Policy"] = RepoPaths.TinyModel("revision.manifest.json"),
            ["Models:Revision"] = "",
        });
        await h.StartAsync(ServiceHosts.Aggregator);
        await h.StartAsync(ServiceHosts.ProposalWorker);
        await h.StartAsync(ServiceHosts.VerifierWorker);

        var runId = await h.SubmitAsync("unserved", false, "{ kind: best_of_n, budgets: [2] }");
        await RunChecks.WaitForRunAsync(h.Db, runId, TimeSpan.FromSeconds(60));

        Assert.Equal([$"failed|{TinyRun.ProblemCount}"], await RunChecks.RowsAsync(h.Db,
            "SELECT status || '|' || count(*) FROM pipeline.searches WHERE run_id = @r GROUP BY status", runId));
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(h.Db,
            "SELECT count(*) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id) WHERE s.run_id = @r", runId));
        // the first request and each re-request of every search ended in the worker's error queue
        Assert.Equal((uint)(TinyRun.ProblemCount * (1 + maxRequests)), await h.Servers.QueueDepthAsync("expand-round_error"));
    }
}
