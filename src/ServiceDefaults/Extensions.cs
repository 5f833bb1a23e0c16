using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.ServiceDefaults;

public static class Extensions
{
    /// <summary>What every service shares: one-line console logs with timestamps, health checks,
    /// the pipeline meter, a heartbeat log line and (with Health__Port) an HTTP /health and /metrics endpoint.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        // MassTransit logs every connection step at Information; keep stdout readable
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Services.AddServiceDefaults();
        return builder;
    }

    /// <summary>The service-collection half of <see cref="AddServiceDefaults(IHostApplicationBuilder)"/>,
    /// for hosts built by hand (tests hosting several services in one process).</summary>
    public static IServiceCollection AddServiceDefaults(this IServiceCollection services)
    {
        services.AddHealthChecks();
        services.AddMetrics();
        services.AddSingleton<PipelineMetrics>();
        services.AddSingleton<WorkInFlight>();
        services.AddOptions<HeartbeatOptions>().BindConfiguration(HeartbeatOptions.Section);
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.Section);
        services.AddOptions<ModelPathsOptions>().BindConfiguration(ModelPathsOptions.Section);
        services.AddOptions<HealthEndpointOptions>().BindConfiguration(HealthEndpointOptions.Section);
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<HealthEndpoint>();
        return services;
    }

    /// <summary>A worker's <see cref="Pipeline.Contracts.WorkerHeartbeat"/> (after <c>AddPipelineBus</c>, so it stops before
    /// the bus and its last heartbeat still goes out).</summary>
    public static IServiceCollection AddWorkerHeartbeat<TDescription>(this IServiceCollection services)
        where TDescription : class, IWorkerDescription
    {
        services.AddOptions<WorkerHeartbeatOptions>().BindConfiguration(WorkerHeartbeatOptions.Section);
        services.AddSingleton<IWorkerDescription, TDescription>();
        services.AddHostedService<WorkerHeartbeatService>();
        return services;
    }
}
