using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Inference;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddVerifierScorer();
        builder.Services.AddPipelineBus(x => x.AddVerifierConsumer());
        builder.Services.AddWorkerHeartbeat<VerifierWorkerDescription>();
        return builder;
    }

    /// <summary>The options and the scorer (ONNX or synthetic), without a bus (see the proposal worker's twin).</summary>
    public static IHostApplicationBuilder AddVerifierScorer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddVerifierOptions();
        if (SyntheticText.IsSynthetic(builder.Configuration["Inference:Backend"]))
            builder.Services.AddSingleton<IStepScorer, SyntheticStepScorer>();
        else
            builder.Services.AddSingleton<IStepScorer, OnnxStepScorer>();
        return builder;
    }

    public static IServiceCollection AddVerifierOptions(this IServiceCollection services)
    {
        services.AddOptions<VerifierOptions>().BindConfiguration(VerifierOptions.Section);
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.SectionName);
        services.AddOptions<InferenceOptions>(InferenceOptions.PrmRole).BindConfiguration(InferenceOptions.SectionName)
            .BindConfiguration(InferenceOptions.RoleSection(InferenceOptions.PrmRole));
        services.AddOptions<SyntheticOptions>().BindConfiguration(SyntheticOptions.SectionName);
        return services;
    }

    /// <summary>The consumer with its definition; tests register it on the in-memory harness the same way.</summary>
    public static void AddVerifierConsumer(this IBusRegistrationConfigurator x) =>
        x.AddConsumer<ScoreRoundConsumer, ScoreRoundConsumerDefinition>();
}
