using MassTransit;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

/// <summary>Runs on each message before it joins a batch, so one bad message faults alone (into the
/// _error queue) instead of failing the whole batch it would have joined.</summary>
public sealed class ExpandRoundValidationFilter(IProposalEngine engine) : IFilter<ConsumeContext<ExpandRound>>
{
    public Task Send(ConsumeContext<ExpandRound> context, IPipe<ConsumeContext<ExpandRound>> next)
    {
        var error = ExpandRoundValidator.Validate(context.Message, engine.ServedModels);
        if (error is not null) throw new PermanentMessageException(error);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("expandRoundValidation");
}
