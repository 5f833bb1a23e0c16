using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

/// <summary>Many rounds (of many searches) -> one engine batch -> one ScoreRound per round.</summary>
public sealed class ExpandRoundConsumer(
    IProposalEngine engine,
    PipelineMetrics metrics,
    WorkInFlight work,
    ILogger<ExpandRoundConsumer> logger) : IConsumer<Batch<ExpandRound>>
{
    public async Task Consume(ConsumeContext<Batch<ExpandRound>> context)
    {
        var rounds = context.Message.Select(m => m.Message).ToList();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var queued = QueueWait.Of(context.Message.Select(m => m.SentTime), DateTime.UtcNow);
        // the heartbeat reports this batch while it runs: the rounds queued behind it are slow, not lost
        using var inFlight = work.Begin(WorkerRoles.Proposal, rounds.Count);
        await context.Publish(new RoundAccepted("expand", WorkerIdentity.Name,
            [.. rounds.Select(r => new RoundKey(r.SearchId, r.Round))]), context.CancellationToken);
        var results = await engine.ExpandAsync(rounds, context.CancellationToken);
        if (results.Count != rounds.Count)
            throw new InvalidOperationException($"engine returned {results.Count} results for {rounds.Count} rounds");

        long candidates = 0, tokens = 0;
        for (var i = 0; i < rounds.Count; i++)
        {
            candidates += results[i].Count;
            tokens += results[i].Sum(c => c.Steps.Sum(s => s.GeneratedTokens) + (c.Lookahead?.Sum(s => s.GeneratedTokens) ?? 0));
            // publish through each message's own context so conversation/correlation headers follow the round
            await context.Message[i].Publish(new ScoreRound(rounds[i], results[i]), context.CancellationToken);
        }
        metrics.Record(rounds.Count, candidates, tokens);
        // scripts/gpu/pipeline_run.sh reads this line: engine time and queue wait per batch
        logger.LogInformation("expanded {Rounds} rounds: {Candidates} candidates, {Tokens} tokens in {Ms:F0} ms (queued {QueueMeanMs:F0} ms mean, {QueueMaxMs:F0} ms max)",
            rounds.Count, candidates, tokens, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, queued.MeanMs, queued.MaxMs);
    }
}
