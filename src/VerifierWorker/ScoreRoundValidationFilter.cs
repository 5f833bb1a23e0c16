using MassTransit;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

/// <summary>Runs on each message before it joins a batch, so one bad message faults alone (into the
/// _error queue) instead of failing the whole batch.</summary>
public sealed class ScoreRoundValidationFilter(IStepScorer scorer) : IFilter<ConsumeContext<ScoreRound>>
{
    public Task Send(ConsumeContext<ScoreRound> context, IPipe<ConsumeContext<ScoreRound>> next)
    {
        var error = ScoreRoundValidator.Validate(context.Message, scorer.ModelName);
        if (error is not null) throw new PermanentMessageException(error);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("scoreRoundValidation");
}
