using Pipeline.Producer.Infrastructure;
using Pipeline.Storage.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Datasets;

/// <summary><c>pipeline dataset list</c>.</summary>
public sealed class DatasetListCommand(IAnsiConsole console, DatabaseConnector connector) : AsyncCommand<DatasetListCommand.Settings>
{
    public sealed class Settings : DatabaseSettings;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var datasets = await DatasetQueries.ListAsync(connector.Get(settings.Connection), ct);
        if (datasets.Count == 0)
        {
            console.MarkupLine("no datasets yet: import one with [blue]pipeline dataset import FILE --format math|gsm8k[/]");
            return 0;
        }
        var table = new Table().AddColumns("id", "name", "format", "problems");
        foreach (var d in datasets) table.AddRow(d.DatasetId.ToString(), Markup.Escape(d.Name), d.Format, d.ProblemCount.ToString());
        console.Write(table);
        return 0;
    }
}
