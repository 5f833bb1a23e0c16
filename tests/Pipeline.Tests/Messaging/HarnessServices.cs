using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.ServiceDefaults;

namespace Pipeline.Tests.Messaging;

/// <summary>A service provider with the in-memory MassTransit harness, the shared defaults and the given
/// configuration (the same keys the env vars set), for consumer tests.</summary>
internal static class HarnessServices
{
    public static ServiceProvider Build(
        Action<IServiceCollection> services,
        Action<IBusRegistrationConfigurator> consumers,
        IDictionary<string, string?>? configuration = null)
    {
        var config = new Dictionary<string, string?>
        {
            // fast retries keep the fault tests short; the policy (Ignore<PermanentMessageException>) is the real one
            ["Retry:IntervalsMs:0"] = "10",
            ["Retry:IntervalsMs:1"] = "10",
            ["Heartbeat:IntervalSeconds"] = "0",
        };
        foreach (var (k, v) in configuration ?? new Dictionary<string, string?>()) config[k] = v;
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        collection.AddLogging();
        collection.AddServiceDefaults();
        services(collection);
        collection.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(3));
            consumers(x);
        });
        return collection.BuildServiceProvider(true);
    }
}

internal static class HarnessQueries
{
    /// <summary>The first <paramref name="count"/> published messages of type T (waits up to the harness's inactivity timeout).</summary>
    public static async Task<List<T>> PublishedAsync<T>(this MassTransit.Testing.ITestHarness harness, int count)
        where T : class
    {
        var list = new List<T>();
        await foreach (var p in harness.Published.SelectAsync<T>())
        {
            list.Add(p.Context.Message);
            if (list.Count == count) break;
        }
        return list;
    }
}
