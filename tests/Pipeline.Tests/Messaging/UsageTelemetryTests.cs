using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.ServiceDefaults;

namespace Pipeline.Tests.Messaging;

/// <summary>The bus sends MassTransit's usage report only when RabbitMq__UsageTelemetry asks for it.</summary>
public class UsageTelemetryTests
{
    static UsageTelemetryOptions Resolve(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddPipelineBus();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;
    }

    [Fact]
    public void Usage_telemetry_is_off_by_default()
    {
        Assert.False(Resolve().Enabled);
    }

    [Fact]
    public void Usage_telemetry_follows_the_setting()
    {
        Assert.True(Resolve(("RabbitMq:UsageTelemetry", "true")).Enabled);
        Assert.False(Resolve(("RabbitMq:UsageTelemetry", "false")).Enabled);
    }
}
