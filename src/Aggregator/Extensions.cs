using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Grading;
using Pipeline.ServiceDefaults;
using Pipeline.Storage;

namespace Pipeline.Aggregator;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAggregatorCore();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RecoverySweep>());
        builder.Services.AddPipelineBus(x => x.AddAggregatorConsumers());
        return builder;
    }

    /// <summary>Options, database, grader and the state machine, without a bus (tests add their own).</summary>
    public static IServiceCollection AddAggregatorCore(this IServiceCollection services)
    {
        services.AddOptions<AggregatorOptions>().BindConfiguration(AggregatorOptions.Section);
        services.AddOptions<PipelineConnectionOptions>().BindConfiguration(PipelineConnectionOptions.Section);
        services.AddOptions<GradingOptions>().BindConfiguration(GradingOptions.SectionName);
        services.AddSingleton(sp =>
        {
            var cs = sp.GetRequiredService<IOptions<PipelineConnectionOptions>>().Value.Pipeline;
            if (string.IsNullOrWhiteSpace(cs))
                throw new InvalidOperationException("aggregator: no database configured; set ConnectionStrings__Pipeline (eval \"$(scripts/services.sh env)\")");
            return NpgsqlDataSource.Create(cs);
        });
        services.AddSingleton<IAnswerGrader>(sp => new MathAnswerGrader(sp.GetRequiredService<IOptions<GradingOptions>>().Value));
        services.AddSingleton<SearchProgress>();
        services.AddSingleton<RecoverySweep>();
        return services;
    }

    public static void AddAggregatorConsumers(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<SearchRequestedConsumer, SearchRequestedConsumerDefinition>();
        x.AddConsumer<RoundScoredConsumer, RoundScoredConsumerDefinition>();
        x.AddConsumer<RoundAcceptedConsumer, RoundAcceptedConsumerDefinition>();
        x.AddConsumer<RoundFaultConsumer, RoundFaultConsumerDefinition>();
        x.AddConsumer<WorkerHeartbeatConsumer, WorkerHeartbeatConsumerDefinition>();
    }
}
