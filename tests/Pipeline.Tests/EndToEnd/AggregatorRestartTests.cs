using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;

namespace Pipeline.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class AggregatorRestartTests
{
    [Fact]
    public async Task A_restarted_Aggregator_finishes_every_search_exactly_once_despite_lost_requests_and_a_resume()
    {
        // short timeouts so the recovery sweep acts within the test
        await using var h = await RunHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Aggregator:RoundTimeoutSeconds"] = "2",
            ["Aggregator:RecoveryIntervalSeconds"] = "0.5",
        });
        var aggregator = await h.StartAsync(ServiceHosts.Aggregator);
        var proposer = await h.StartAsync(ServiceHosts.ProposalWorker);
        await h.StartAsync(ServiceHosts.VerifierWorker);

        // 8-token steps cut most steps short, so beams take more rounds: the run is still going when the proposer stops
        var runId = await h.SubmitAsync("restart", false, 8,
            "{ kind: beam, beam_width: 2, budgets: [4], max_rounds: 6 }", "{ kind: best_of_n, budgets: [4] }");

        // stop the proposer first: from then on every round the Aggregator requests waits in expand-round
        await WaitUntilAsync(async () => await RunChecks.ScalarAsync<long>(h.Db,
            "SELECT count(*) FROM pipeline.search_rounds q JOIN pipeline.searches s USING (search_id) WHERE s.run_id = @r", runId) > 0);
        await h.StopAsync(proposer);
        await WaitUntilAsync(async () => await h.Servers.QueueDepthAsync("expand-round") > 0);
        await h.StopAsync(aggregator);
        Assert.NotEqual("done", await RunChecks.ScalarAsync<string>(h.Db, "SELECT status FROM pipeline.runs WHERE run_id = @r", runId));

        // lose the waiting requests: only the new Aggregator's recovery sweep can bring those searches back
        var lost = await h.Servers.QueueDepthAsync("expand-round");
        await h.Servers.PurgeAsync("expand-round");
        Assert.True(lost > 0);

        await h.StartAsync(ServiceHosts.ProposalWorker);
        var restarted = await h.StartAsync(ServiceHosts.Aggregator);
        // and a `run resume` meanwhile: SearchRequested again for every search, running or done
        var bus = restarted.Services.GetRequiredService<IBus>();
        foreach (var id in await RunChecks.RowsAsync(h.Db, "SELECT search_id::text FROM pipeline.searches WHERE run_id = @r", runId))
            await bus.Publish(new SearchRequested(runId, long.Parse(id)));
        await RunChecks.WaitForRunAsync(h.Db, runId, TimeSpan.FromSeconds(120));

        await RunChecks.AssertCompleteAsync(h.Db, runId, new Dictionary<string, int> { ["beam(M=2)"] = 10, ["best_of_n"] = 30 });
        Assert.Equal(0u, await h.Servers.QueueDepthAsync("round-scored_error"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("condition not reached within 60 s");
            await Task.Delay(50);
        }
    }
}
