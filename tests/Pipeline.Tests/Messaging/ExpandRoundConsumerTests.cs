using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.ProposalWorker;

namespace Pipeline.Tests.Messaging;

public sealed class ExpandRoundConsumerTests
{
    private static ServiceProvider Build(FakeProposalEngine engine) => HarnessServices.Build(
        s => s.AddSingleton<IProposalEngine>(engine).AddProposalOptions(),
        x => x.AddProposalConsumer(),
        new Dictionary<string, string?> { ["Proposal:BatchSize"] = "8", ["Proposal:BatchTimeLimitMs"] = "300" });

    [Fact]
    public async Task Rounds_of_several_searches_share_one_engine_batch_and_each_gets_its_own_ScoreRound()
    {
        var engine = new FakeProposalEngine("policy-a");
        await using var provider = Build(engine);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        foreach (var id in new long[] { 1, 2, 3 }) await harness.Bus.Publish(ContractSamples.Round(id));

        var published = await harness.PublishedAsync<ScoreRound>(3);
        Assert.Equal([1L, 2L, 3L], published.Select(m => m.Request.SearchId).Order());
        foreach (var m in published)
        {
            Assert.Equal(3, m.Candidates.Count); // 2 samples of the root + 1 of node 5
            Assert.All(m.Candidates, c => Assert.StartsWith($"s{m.Request.SearchId} r{c.RequestIndex} ", c.Steps[0].Text));
        }
        Assert.Equal(3, engine.BatchSizes.Sum());
        Assert.Contains(engine.BatchSizes, n => n > 1);
        Assert.False(await harness.Published.Any<Fault<ExpandRound>>());
    }

    [Fact]
    public async Task A_round_for_a_model_not_served_faults_alone_and_the_others_go_on()
    {
        var engine = new FakeProposalEngine("policy-a");
        await using var provider = Build(engine);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(ContractSamples.Round(1));
        await harness.Bus.Publish(ContractSamples.Round(2, policy: "someone-elses-model"));
        await harness.Bus.Publish(ContractSamples.Round(3));

        var ok = await harness.PublishedAsync<ScoreRound>(2);
        Assert.Equal([1L, 3L], ok.Select(m => m.Request.SearchId).Order());
        // the filter faults the message itself (MassTransit moves it to expand-round_error), not the batch
        var failed = await harness.Consumed.SelectAsync<ExpandRound>(c => c.Exception is not null).First();
        Assert.Equal(2, failed.Context.Message.SearchId);
        Assert.Contains("PolicyModel 'someone-elses-model' is not served", failed.Exception.Message);
        // a permanent error is not retried: the engine never saw search 2
        Assert.Equal(2, engine.BatchSizes.Sum());
    }

    [Fact]
    public async Task A_transient_engine_failure_is_retried_and_nothing_faults()
    {
        var engine = new FakeProposalEngine("policy-a") { FailuresLeft = 1 };
        await using var provider = Build(engine);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(ContractSamples.Round(7, lookahead: 2));

        var scored = await harness.Published.SelectAsync<ScoreRound>().First();
        Assert.All(scored.Context.Message.Candidates, c => Assert.Equal("rollout", c.Lookahead![0].Text));
        Assert.False(await harness.Published.Any<Fault<ExpandRound>>());
        Assert.Equal(-1, engine.FailuresLeft);
    }
}
