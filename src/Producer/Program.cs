using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Producer;
using Spectre.Console;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var services = new ServiceCollection().AddProducerServices(configuration);

// Redirected output has no terminal width: Spectre would wrap every table at 80 columns.
if (Console.IsOutputRedirected)
    AnsiConsole.Console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var width) ? width : 160;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

return await PipelineApp.Create(services, AnsiConsole.Console).RunAsync(args, cancel.Token);
