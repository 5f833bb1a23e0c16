using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.ServiceDefaults;
using Spectre.Console.Testing;

namespace Pipeline.Tests.EndToEnd;

/// <summary>The services of the pipeline as generic hosts in the test process, each built exactly as its
/// Program.cs builds it (AddServiceDefaults + its AddApplicationServices), on the test's servers and the
/// real tiny ONNX models.</summary>
internal static class ServiceHosts
{
    public static Dictionary<string, string?> Configuration(E2eServers servers, IDictionary<string, string?>? extra = null)
    {
        var c = servers.Configuration();
        c["Models:Policy"] = RepoPaths.TinyModel("policy.manifest.json");
        c["Models:Prm"] = RepoPaths.TinyModel("prm.manifest.json");
        c["Models:Revision"] = RepoPaths.TinyModel("revision.manifest.json");
        // two cores run both workers, the Aggregator, the broker and the database
        c["Inference:IntraOpThreads"] = "1";
        c["Heartbeat:IntervalSeconds"] = "0";
        c["Logging:LogLevel:Default"] = "Warning";
        c["Retry:IntervalsMs:0"] = "100";
        c["Retry:IntervalsMs:1"] = "500";
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) c[k] = v;
        return c;
    }

    public static IHost Aggregator(IDictionary<string, string?> config) =>
        Build(config, b => Pipeline.Aggregator.Extensions.AddApplicationServices(b));

    public static IHost ProposalWorker(IDictionary<string, string?> config) =>
        Build(config, b => Pipeline.ProposalWorker.Extensions.AddApplicationServices(b));

    public static IHost VerifierWorker(IDictionary<string, string?> config) =>
        Build(config, b => Pipeline.VerifierWorker.Extensions.AddApplicationServices(b));

    private static IHost Build(IDictionary<string, string?> config, Action<IHostApplicationBuilder> addApplication)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(config);
        builder.AddServiceDefaults();
        addApplication(builder);
        return builder.Build();
    }

    /// <summary>Runs the <c>pipeline</c> CLI in-process (the Producer's own command tree) and returns its output.</summary>
    public static async Task<string> CliAsync(IDictionary<string, string?> config, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(config).Build();
        var services = new ServiceCollection();
        Pipeline.Producer.Extensions.AddProducerServices(services, configuration);
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Width = 200;
        var rc = await Pipeline.Producer.PipelineApp.Create(services, console).RunAsync(args);
        if (rc != 0) throw new InvalidOperationException($"pipeline {string.Join(' ', args)} exited {rc}:\n{console.Output}");
        return console.Output;
    }
}
