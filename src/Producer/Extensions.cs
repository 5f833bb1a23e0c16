using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Pipeline.Producer.Infrastructure;
using Pipeline.Producer.Publishing;
using Pipeline.Producer.Status;
using Pipeline.ServiceDefaults;
using Pipeline.Storage;

namespace Pipeline.Producer;

public static class Extensions
{
    /// <summary>Everything the CLI's commands are built from. Settings come from <paramref name="configuration"/>
    /// (environment variables in the real CLI: ConnectionStrings__Pipeline, RabbitMq__*).</summary>
    public static IServiceCollection AddProducerServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration);
        // The CLI's stdout is for results; library logs (MassTransit, EF) go to stderr, warnings and up.
        var debug = Environment.GetEnvironmentVariable("PIPELINE_DEBUG") == "1";
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Warning).AddConfiguration(configuration.GetSection("Logging"));
            if (debug) b.AddSimpleConsole(o => o.SingleLine = true);
            else b.AddConsole(o => o.FormatterName = OneLineConsoleFormatter.FormatterName).AddConsoleFormatter<OneLineConsoleFormatter, ConsoleFormatterOptions>();
        });
        services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.AddOptions<ProducerOptions>().BindConfiguration(ProducerOptions.Section);
        services.AddOptions<PipelineConnectionOptions>().BindConfiguration(PipelineConnectionOptions.Section);
        services.AddOptions<RabbitMqManagementOptions>().BindConfiguration(RabbitMqManagementOptions.Section);
        services.AddOptions<Pipeline.Inference.InferenceOptions>().BindConfiguration(Pipeline.Inference.InferenceOptions.SectionName);
        services.AddSingleton<DatabaseConnector>();
        services.AddSingleton<QueueDepthClient>();
        services.AddSingleton<Errors.ErrorQueues>();
        services.AddSingleton(TimeProvider.System);
        services.AddPipelineBus();
        services.AddSingleton<ISearchPublisher, MassTransitSearchPublisher>();
        return services;
    }
}
