namespace Pipeline.Tests.EndToEnd;

/// <summary>Rounds no worker serves land in expand-round_error; the Aggregator learns it from the workers'
/// Fault messages, fails the searches after ErrorGraceSeconds with the reason, or, when the messages are
/// re-queued in time to a worker that serves the model, the run finishes.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class UnservedRoundTests
{
    private static Dictionary<string, string?> Unserved(double graceSeconds) => new()
    {
        ["Aggregator:ErrorGraceSeconds"] = graceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Aggregator:RecoveryIntervalSeconds"] = "0.3",
        // this proposal worker serves only the revision model, so every policy round is refused
        ["Models:Policy"] = RepoPaths.TinyModel("revision.manifest.json"),
        ["Models:Revision"] = "",
    };

    [Fact]
    public async Task Rounds_no_worker_serves_fail_their_searches_after_the_grace_with_the_workers_reason_and_are_not_re_requested()
    {
        await using var h = await RunHarness.StartAsync(Unserved(2));
        await h.StartAsync(ServiceHosts.Aggregator);
        await h.StartAsync(ServiceHosts.ProposalWorker);
        await h.StartAsync(ServiceHosts.VerifierWorker);

        var runId = await h.SubmitAsync("unserved", false, "{ kind: best_of_n, budgets: [2] }");
        await RunChecks.WaitForRunAsync(h.Db, runId, TimeSpan.FromSeconds(60));

        Assert.Equal([$"failed|{TinyRun.ProblemCount}"], await RunChecks.RowsAsync(h.Db,
            "SELECT status || '|' || count(*) FROM pipeline.searches WHERE run_id = @r GROUP BY status", runId));
        var reasons = await RunChecks.RowsAsync(h.Db, "SELECT failure_reason FROM pipeline.searches WHERE run_id = @r", runId);
        Assert.Equal(TinyRun.ProblemCount, reasons.Count);
        Assert.All(reasons, reason =>
        {
            Assert.StartsWith("round 0 in an _error queue for over 2 s: expand-round_error: ", reason);
            Assert.Contains("tiny-arith-policy", reason);
        });
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(h.Db,
            "SELECT count(*) FROM pipeline.steps t JOIN pipeline.searches s USING (search_id) WHERE s.run_id = @r", runId));
        // one message per search: a faulted round is left to the grace, not re-requested into the error queue
        Assert.Equal((uint)TinyRun.ProblemCount, await h.Servers.QueueDepthAsync("expand-round_error"));
        var status = await ServiceHosts.CliAsync(h.Config, "run", "status", runId.ToString());
        Assert.Contains("expand-round_error", status);
    }

    [Fact]
    public async Task Requeued_after_a_worker_that_serves_the_model_starts_the_run_finishes()
    {
        await using var h = await RunHarness.StartAsync(Unserved(600));
        await h.StartAsync(ServiceHosts.Aggregator);
        var unserved = await h.StartAsync(ServiceHosts.ProposalWorker);
        await h.StartAsync(ServiceHosts.VerifierWorker);

        var runId = await h.SubmitAsync("requeue", false, "{ kind: best_of_n, budgets: [2] }");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await RunChecks.ScalarAsync<long>(h.Db,
                   "SELECT count(*) FROM pipeline.searches WHERE run_id = @r AND round_faulted_at IS NOT NULL", runId) < TinyRun.ProblemCount)
        {
            Assert.True(DateTime.UtcNow < deadline, "the Aggregator did not record every fault within 60 s");
            await Task.Delay(100);
        }
        // A fault can be recorded before its message has reached the error queue (CI saw 2 of 3 once): wait for the last one.
        var list = await ServiceHosts.CliAsync(h.Config, "errors", "list");
        while (!list.Contains($"{runId}: {TinyRun.ProblemCount}") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            list = await ServiceHosts.CliAsync(h.Config, "errors", "list");
        }
        Assert.Contains("expand-round_error", list);
        Assert.Contains($"{runId}: {TinyRun.ProblemCount}", list);

        await h.StopAsync(unserved);
        await h.StartAsync(c => ServiceHosts.ProposalWorker(new Dictionary<string, string?>(c)
        {
            ["Models:Policy"] = RepoPaths.TinyModel("policy.manifest.json"),
        }));
        var requeue = await ServiceHosts.CliAsync(h.Config, "errors", "requeue", "--queue", "expand-round", "--run", runId.ToString());
        Assert.Contains($"re-queued {TinyRun.ProblemCount} messages from expand-round_error to expand-round", requeue);
        await RunChecks.WaitForRunAsync(h.Db, runId, TimeSpan.FromSeconds(120));

        Assert.Equal([$"done|{TinyRun.ProblemCount}"], await RunChecks.RowsAsync(h.Db,
            "SELECT status || '|' || count(*) FROM pipeline.searches WHERE run_id = @r AND failure_reason IS NULL GROUP BY status", runId));
        Assert.Equal(0u, await h.Servers.QueueDepthAsync("expand-round_error"));
    }
}
