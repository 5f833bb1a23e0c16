using System.Globalization;
using Pipeline.Producer.Errors;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Errors;

/// <summary><c>pipeline errors list</c>: every _error queue with messages, per run, and the workers' reasons.</summary>
public sealed class ErrorsListCommand(IAnsiConsole console, ErrorQueues errors) : AsyncCommand<ErrorsListCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var queues = (await errors.ListAsync(ct)).Where(q => q.Messages > 0).ToList();
        if (queues.Count == 0)
        {
            console.MarkupLine("no messages in any _error queue");
            return 0;
        }
        var table = new Table().AddColumns("queue", "messages", "by run", "reasons");
        foreach (var q in queues)
            table.AddRow(
                Markup.Escape(q.Queue), q.Messages.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(string.Join("\n", q.ByRun.Select(r => $"{r.Key}: {r.Value}"))),
                Markup.Escape(string.Join("\n", q.Reasons.Take(5))));
        console.Write(table);
        console.MarkupLine("fix the cause (e.g. start a worker that serves the model), then: pipeline errors requeue [[--queue NAME]] [[--run RUN]]");
        return 0;
    }
}
