using MassTransit;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

/// <summary>Runs on each message before it joins a batch, so one bad message faults alone (into the
/// _error queue) instead of failing the whole batch.</summary>
public sealed class ScoreRoundValidationFilter(IStepScorer scorer) : IFilter<ConsumeContext<ScoreRound>>
{
    public async Task Send(ConsumeContext<ScoreRound> context, IPipe<ConsumeContext<ScoreRound>> next)
    {
        var error = ScoreRoundValidator.Validate(context.Message, scorer.ModelName);
        if (error is null)
        {
            await next.Send(context);
            return;
        }
        // outside a consumer MassTransit moves the message to _error without a Fault<ScoreRound>: publish it, so the
        // Aggregator learns at once that the round will not come back, and why
        var refused = new PermanentMessageException(error);
        await context.NotifyFaulted(context, TimeSpan.Zero, "ScoreRoundValidation", refused);
        throw refused;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("scoreRoundValidation");
}
