using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.VerifierWorker;

namespace Pipeline.Tests.Messaging;

public sealed class ScoreRoundConsumerTests
{
    /// <summary>Scorer stand-in for consumer tests only: the score of a step is its position / 10, so a test
    /// can see which positions were read.</summary>
    private sealed class PositionScorer : IStepScorer
    {
        public List<ScoringSequence> Seen { get; } = [];
        public string ModelName => "prm-a";
        public string Device => "fake";

        public Task<IReadOnlyList<IReadOnlyList<double>>> ScoreAsync(
            IReadOnlyList<ScoringSequence> sequences, CancellationToken cancellationToken)
        {
            lock (Seen) Seen.AddRange(sequences);
            IReadOnlyList<IReadOnlyList<double>> r = sequences
                .Select(s => (IReadOnlyList<double>)s.Steps.Select((_, i) => (i + 1) / 10.0).ToList()).ToList();
            return Task.FromResult(r);
        }
    }

    private static ScoreRound Round(long searchId, int lookahead, string prm = "prm-a")
    {
        var request = ContractSamples.Round(searchId, lookahead: lookahead) with { VerifierModel = prm };
        IReadOnlyList<GeneratedStep>? rollout = lookahead > 0 ? [new("r1", 1), new("r2", 1)] : null;
        return new ScoreRound(request,
        [
            new ProposedCandidate(0, 0, null, [new("a", 1)], 5, FinishReason.Delimiter, false, rollout),
            // a whole solution of three steps under node 5, whose prefix is one step
            new ProposedCandidate(1, 0, 5, [new("b", 1), new("c", 1), new("The answer is 5.", 1)], 5, FinishReason.Eos, true, rollout),
        ]);
    }

    private static ServiceProvider Build(IStepScorer scorer) => HarnessServices.Build(
        s => s.AddSingleton(scorer).AddVerifierOptions(),
        x => x.AddVerifierConsumer(),
        new Dictionary<string, string?> { ["Verifier:BatchTimeLimitMs"] = "200" });

    [Fact]
    public async Task New_steps_get_the_scores_at_their_own_positions_after_the_prefix()
    {
        var scorer = new PositionScorer();
        await using var provider = Build(scorer);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(Round(1, lookahead: 0));

        var scored = (await harness.PublishedAsync<RoundScored>(1))[0];
        Assert.Equal([0.1], scored.Candidates[0].StepScores);
        Assert.Equal([0.2, 0.3, 0.4], scored.Candidates[1].StepScores); // position 1 is the prefix "2+3=5"
        Assert.All(scored.Candidates, c => Assert.Null(c.LookaheadScore));
        Assert.Contains(scorer.Seen, s => s.Steps.SequenceEqual(["2+3=5", "b", "c", "The answer is 5."]));
    }

    [Fact]
    public async Task A_lookahead_rollout_is_scored_at_its_end_and_is_not_a_step()
    {
        await using var provider = Build(new PositionScorer());
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(Round(2, lookahead: 2));

        var scored = (await harness.PublishedAsync<RoundScored>(1))[0];
        Assert.Equal([0.1], scored.Candidates[0].StepScores);
        Assert.Equal(0.3, scored.Candidates[0].LookaheadScore!.Value, 6); // a, r1, r2
        Assert.Equal(0.6, scored.Candidates[1].LookaheadScore!.Value, 6); // prefix, b, c, answer, r1, r2
    }

    [Fact]
    public async Task A_rollout_that_ended_at_once_is_scored_where_its_step_ended()
    {
        var scorer = new PositionScorer();
        await using var provider = Build(scorer);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var request = ContractSamples.Round(5, lookahead: 1);
        await harness.Bus.Publish(new ScoreRound(request,
            [new ProposedCandidate(0, 0, null, [new("a", 1)], 5, FinishReason.Delimiter, false, [new GeneratedStep("", 1)])]));

        var scored = (await harness.PublishedAsync<RoundScored>(1))[0];
        Assert.Equal(0.1, scored.Candidates[0].LookaheadScore!.Value, 6);
        Assert.Equal(["a"], scorer.Seen.Single().Steps);
        Assert.Equal(5, scorer.Seen.Single().Search);   // the PRM's cross-round cache keeps what it kept per search
    }

    [Fact]
    public async Task A_round_for_another_PRM_faults_alone()
    {
        await using var provider = Build(new PositionScorer());
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(Round(3, 0, prm: "other-prm"));
        await harness.Bus.Publish(Round(4, 0));

        var ok = (await harness.PublishedAsync<RoundScored>(1))[0];
        Assert.Equal(4, ok.Request.SearchId);
        var failed = await harness.Consumed.SelectAsync<ScoreRound>(c => c.Exception is not null).First();
        Assert.Equal(3, failed.Context.Message.Request.SearchId);
        Assert.Contains("VerifierModel 'other-prm' is not served", failed.Exception.Message);
        Assert.Equal(1, await harness.Published.SelectAsync<RoundScored>().Count());
    }
}
