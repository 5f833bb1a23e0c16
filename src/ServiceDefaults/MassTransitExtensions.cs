using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Pipeline.ServiceDefaults;

public static class MassTransitExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ, connection from <see cref="RabbitMqOptions"/> (section "RabbitMq", so the
    /// env vars RabbitMq__Host/Port/Username/Password set it). <paramref name="configure"/> adds the
    /// service's consumers; endpoints are then created from their definitions. A publisher-only process
    /// (the Producer) passes nothing.
    /// </summary>
    public static IServiceCollection AddPipelineBus(
        this IServiceCollection services,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section);
        services.AddOptions<MassTransitHostOptions>().Configure<IOptions<RabbitMqOptions>>((host, rabbit) =>
        {
            host.WaitUntilStarted = rabbit.Value.WaitUntilStarted;
            host.StartTimeout = TimeSpan.FromSeconds(60);
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddOptions<UsageTelemetryOptions>().Configure<IOptions<RabbitMqOptions>>((telemetry, rabbit) =>
            telemetry.Enabled = rabbit.Value.UsageTelemetry);
        services.AddMassTransit(x =>
        {
            configure?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                var o = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, h =>
                {
                    h.Username(o.Username);
                    h.Password(o.Password);
                    h.PublisherConfirmation = o.PublisherConfirmation;
                });
                cfg.ConfigureEndpoints(context, KebabCaseEndpointNameFormatter.Instance);
            });
        });
        return services;
    }
}
