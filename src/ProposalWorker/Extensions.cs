using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Inference;
using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddProposalEngine();
        builder.Services.AddPipelineBus(x => x.AddProposalConsumer());
        builder.Services.AddWorkerHeartbeat<ProposalWorkerDescription>();
        return builder;
    }

    /// <summary>The options and the engine (ONNX or synthetic), without a bus: the combined worker adds the verifier's
    /// beside it and registers both consumers on one bus.</summary>
    public static IHostApplicationBuilder AddProposalEngine(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProposalOptions();
        if (SyntheticText.IsSynthetic(builder.Configuration["Inference:Backend"]))
            builder.Services.AddSingleton<IProposalEngine, SyntheticProposalEngine>();
        else
            builder.Services.AddSingleton<IProposalEngine, OnnxProposalEngine>();
        return builder;
    }

    public static IServiceCollection AddProposalOptions(this IServiceCollection services)
    {
        services.AddOptions<ProposalOptions>().BindConfiguration(ProposalOptions.Section);
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.SectionName);
        services.AddOptions<InferenceOptions>(InferenceOptions.PolicyRole).BindConfiguration(InferenceOptions.SectionName)
            .BindConfiguration(InferenceOptions.RoleSection(InferenceOptions.PolicyRole));
        services.AddOptions<SyntheticOptions>().BindConfiguration(SyntheticOptions.SectionName);
        return services;
    }

    /// <summary>The consumer with its definition; tests register it on the in-memory harness the same way.</summary>
    public static void AddProposalConsumer(this IBusRegistrationConfigurator x) =>
        x.AddConsumer<ExpandRoundConsumer, ExpandRoundConsumerDefinition>();
}
