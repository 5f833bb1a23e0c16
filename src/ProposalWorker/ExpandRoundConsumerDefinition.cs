using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

public sealed class ExpandRoundConsumerDefinition(IOptions<ProposalOptions> options)
    : BatchConsumerDefinition<ExpandRoundConsumer, ExpandRound, ProposalOptions>(options, "expand-round")
{
    protected override IFilter<ConsumeContext<ExpandRound>> CreateValidationFilter(IRegistrationContext context) =>
        new ExpandRoundValidationFilter(context.GetRequiredService<IProposalEngine>());
}
