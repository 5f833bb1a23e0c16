using System.ComponentModel;
using System.Globalization;
using Pipeline.Producer.Infrastructure;
using Pipeline.Storage.Queries;
using Pipeline.Storage.Searches;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Runs;

/// <summary><c>pipeline run list</c>: the latest runs, newest first.</summary>
public sealed class RunListCommand(IAnsiConsole console, DatabaseConnector connector) : AsyncCommand<RunListCommand.Settings>
{
    public sealed class Settings : DatabaseSettings
    {
        [CommandOption("--limit <N>")]
        [Description("How many runs to show")]
        [DefaultValue(20)]
        public int Limit { get; init; } = 20;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var runs = await RunQueries.ListAsync(connector.Get(settings.Connection), settings.Limit, ct);
        if (runs.Count == 0)
        {
            console.MarkupLine("no runs yet: submit one with [blue]pipeline run submit SPEC[/]");
            return 0;
        }
        var table = new Table().AddColumns("run id", "name", "dataset", "status", "done/searches", "steps", "created (UTC)");
        foreach (var r in runs)
            table.AddRow(r.RunId.ToString(), Markup.Escape(r.Name), Markup.Escape(r.Dataset), r.Status.Name(),
                r.SearchesFailed > 0 ? $"{r.SearchesDone}/{r.Searches} ({r.SearchesFailed} failed)" : $"{r.SearchesDone}/{r.Searches}",
                r.Steps.ToString(CultureInfo.InvariantCulture), r.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        console.Write(table);
        return 0;
    }
}
