using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

/// <summary>Many rounds -> one PRM batch -> one RoundScored per round.</summary>
public sealed class ScoreRoundConsumer(
    IStepScorer scorer,
    PipelineMetrics metrics,
    WorkInFlight work,
    ILogger<ScoreRoundConsumer> logger) : IConsumer<Batch<ScoreRound>>
{
    public async Task Consume(ConsumeContext<Batch<ScoreRound>> context)
    {
        var rounds = context.Message.Select(m => m.Message).ToList();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var queued = QueueWait.Of(context.Message.Select(m => m.SentTime), DateTime.UtcNow);
        // the heartbeat reports this batch while it runs: the rounds queued behind it are slow, not lost
        using var inFlight = work.Begin(WorkerRoles.Verifier, rounds.Count);
        await context.Publish(new RoundAccepted("score", WorkerIdentity.Name,
            [.. rounds.Select(r => new RoundKey(r.Request.SearchId, r.Request.Round))]), context.CancellationToken);
        var sequences = ScoringPlan.Sequences(rounds);
        var scores = await scorer.ScoreAsync(sequences, context.CancellationToken);
        if (scores.Count != sequences.Count)
            throw new InvalidOperationException($"scorer returned {scores.Count} results for {sequences.Count} sequences");
        var scored = ScoringPlan.Apply(rounds, scores);
        for (var i = 0; i < rounds.Count; i++)
            await context.Message[i].Publish(scored[i], context.CancellationToken);
        var steps = sequences.Sum(s => (long)s.Steps.Count);
        metrics.Record(rounds.Count, sequences.Count, steps);
        // scripts/gpu/pipeline_run.sh reads this line: PRM time and queue wait per batch
        logger.LogInformation("scored {Rounds} rounds: {Sequences} sequences, {Steps} steps in {Ms:F0} ms (queued {QueueMeanMs:F0} ms mean, {QueueMaxMs:F0} ms max)",
            rounds.Count, sequences.Count, steps, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, queued.MeanMs, queued.MaxMs);
    }
}
