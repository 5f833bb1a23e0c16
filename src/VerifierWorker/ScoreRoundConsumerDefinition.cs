using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

public sealed class ScoreRoundConsumerDefinition(IOptions<VerifierOptions> options)
    : BatchConsumerDefinition<ScoreRoundConsumer, ScoreRound, VerifierOptions>(options, "score-round")
{
    protected override IFilter<ConsumeContext<ScoreRound>> CreateValidationFilter(IRegistrationContext context) =>
        new ScoreRoundValidationFilter(context.GetRequiredService<IStepScorer>());
}
