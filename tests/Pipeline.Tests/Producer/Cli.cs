using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Producer;
using Pipeline.Tests.Infrastructure;
using Spectre.Console.Testing;

namespace Pipeline.Tests.Producer;

public sealed record CliResult(int ExitCode, string Output);

/// <summary>Runs the real <c>pipeline</c> command tree in-process against the test servers, output into a TestConsole.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string?> configuration, params string[] args)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(configuration).Build();
        var console = new TestConsole().Width(250);
        var app = PipelineApp.Create(new ServiceCollection().AddProducerServices(config), console);
        var code = await app.RunAsync(args);
        return new CliResult(code, console.Output);
    }

    public static Dictionary<string, string?> Config(FreshDatabase database, RabbitVirtualHost? rabbit = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Pipeline"] = database.ConnectionString,
            ["Producer:BusStartTimeoutSeconds"] = "15",
        };
        if (rabbit is not null) foreach (var (k, v) in rabbit.Configuration) config[k] = v;
        return config;
    }

    /// <summary>A temp folder deleted with the object.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("pipeline-tests-").FullName;
        public string File(string name, string text)
        {
            var p = System.IO.Path.Combine(Path, name);
            System.IO.File.WriteAllText(p, text);
            return p;
        }
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
