using MassTransit;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

/// <summary>Runs on each message before it joins a batch, so one bad message faults alone (into the
/// _error queue) instead of failing the whole batch it would have joined.</summary>
public sealed class ExpandRoundValidationFilter(IProposalEngine engine) : IFilter<ConsumeContext<ExpandRound>>
{
    public async Task Send(ConsumeContext<ExpandRound> context, IPipe<ConsumeContext<ExpandRound>> next)
    {
        var error = ExpandRoundValidator.Validate(context.Message, engine.ServedModels);
        if (error is null)
        {
            await next.Send(context);
            return;
        }
        // outside a consumer MassTransit moves the message to _error without a Fault<ExpandRound>: publish it, so the
        // Aggregator learns at once that the round will not come back, and why
        var refused = new PermanentMessageException(error);
        await context.NotifyFaulted(context, TimeSpan.Zero, "ExpandRoundValidation", refused);
        throw refused;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("expandRoundValidation");
}
