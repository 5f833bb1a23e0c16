using System.Diagnostics;
using Xunit.Abstractions;

namespace Pipeline.Tests.EndToEnd;

/// <summary>Round messages purged from expand-round before any worker took them: only the acceptance check can
/// tell (the round timeout is the default 600 s), and the run still finishes with every outcome.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class LostRoundTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Purged_rounds_are_re_requested_within_the_accept_timeout_and_the_run_finishes()
    {
        // PIPELINE_MEASURE_DEFAULTS=1 keeps the shipped AcceptTimeoutSeconds and RecoveryIntervalSeconds (docs/messaging.md's measurement)
        var defaults = Environment.GetEnvironmentVariable("PIPELINE_MEASURE_DEFAULTS") == "1";
        var config = new Dictionary<string, string?> { ["Aggregator:RoundTimeoutSeconds"] = "600" };
        if (!defaults)
        {
            config["Aggregator:AcceptTimeoutSeconds"] = "2";
            config["Aggregator:RecoveryIntervalSeconds"] = "0.5";
        }
        await using var h = await RunHarness.StartAsync(config);
        await h.StartAsync(ServiceHosts.Aggregator);
        var proposer = await h.StartAsync(ServiceHosts.ProposalWorker);
        await h.StartAsync(ServiceHosts.VerifierWorker);

        // a first run shows the workers at work; then, with the proposer down, a second run's first rounds wait
        // in expand-round, taken by no worker, and are lost there
        var warm = await h.SubmitAsync("warm", false, "{ kind: best_of_n, budgets: [2] }");
        await RunChecks.WaitForRunAsync(h.Db, warm, TimeSpan.FromSeconds(120));
        await h.StopAsync(proposer);
        var runId = await h.SubmitAsync("lost", false, 8, "{ kind: beam, beam_width: 2, budgets: [4], max_rounds: 6 }");
        await WaitUntilAsync(async () => await h.Servers.QueueDepthAsync("expand-round") >= TinyRun.ProblemCount, 60);
        await h.Servers.PurgeAsync("expand-round");
        var purged = Stopwatch.StartNew();
        await h.StartAsync(ServiceHosts.ProposalWorker);

        await WaitUntilAsync(async () => await RunChecks.ScalarAsync<long>(h.Db,
            "SELECT count(*) FROM pipeline.searches WHERE run_id = @r AND round_requests > 0", runId) > 0, defaults ? 180 : 60);
        var detected = purged.Elapsed;
        output.WriteLine($"first re-request {detected.TotalSeconds:F1} s after the purge (defaults: {defaults})");
        Assert.True(detected < TimeSpan.FromSeconds(defaults ? 90 : 30), $"detected after {detected.TotalSeconds:F1} s");

        await RunChecks.WaitForRunAsync(h.Db, runId, TimeSpan.FromSeconds(180));
        await RunChecks.AssertCompleteAsync(h.Db, runId, new Dictionary<string, int> { ["beam(M=2)"] = 10 });
        Assert.Equal(0L, await RunChecks.ScalarAsync<long>(h.Db,
            "SELECT count(*) FROM pipeline.searches WHERE run_id = @r AND status <> 'done'", runId));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"condition not reached within {seconds} s");
            await Task.Delay(50);
        }
    }
}
