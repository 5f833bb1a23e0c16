using System.ComponentModel;
using Pipeline.Producer.Errors;
using Pipeline.Producer.Infrastructure;
using Pipeline.Storage.Queries;
using Pipeline.Storage.Searches;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Errors;

/// <summary><c>pipeline errors requeue [--queue NAME] [--run RUN]</c>: moves _error messages back to their queue,
/// once their cause is fixed. The faulted rounds of the run's (or every) running search count as requested again
/// from now, so a backlog longer than the grace does not fail them (<see cref="SearchStateStore.RequeuedAsync"/>).</summary>
public sealed class ErrorsRequeueCommand(IAnsiConsole console, ErrorQueues errors, DatabaseConnector connector)
    : AsyncCommand<ErrorsRequeueCommand.Settings>
{
    public sealed class Settings : DatabaseSettings
    {
        [CommandOption("--queue <NAME>")]
        [Description("Only QUEUE_error -> QUEUE (e.g. expand-round); default: every pipeline queue")]
        public string? Queue { get; init; }

        [CommandOption("--run <RUN>")]
        [Description("Only messages of this run (id, id prefix or name)")]
        public string? Run { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        Guid? run = settings.Run is null ? null : await RunQueries.ResolveAsync(connector.Get(settings.Connection), settings.Run, ct);
        var moved = await errors.RequeueAsync(settings.Queue?.EndsWith("_error", StringComparison.Ordinal) == true ? settings.Queue[..^6] : settings.Queue, run, ct);
        if (moved.Count == 0) console.MarkupLine("nothing to re-queue");
        foreach (var (queue, n) in moved) console.MarkupLineInterpolated($"re-queued [green]{n}[/] messages from {queue}_error to {queue}");
        if (moved.Count > 0)
        {
            var cleared = await SearchStateStore.RequeuedAsync(connector.Get(settings.Connection), run, ct);
            if (cleared > 0) console.MarkupLineInterpolated($"{cleared} searches' rounds count as requested again (their _error grace starts over if a worker gives up on them again)");
        }
        return 0;
    }
}
