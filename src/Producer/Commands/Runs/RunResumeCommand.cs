using Pipeline.Contracts;
using Pipeline.Producer.Infrastructure;
using Pipeline.Producer.Publishing;
using Pipeline.Storage.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Runs;

/// <summary><c>pipeline run resume RUN</c>: republishes SearchRequested for every search not done. The
/// Aggregator treats a request for a search it already drives as a nudge (it re-requests a stalled round at most).</summary>
public sealed class RunResumeCommand(IAnsiConsole console, DatabaseConnector connector, ISearchPublisher publisher)
    : AsyncCommand<RunResumeCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Run) ? Spectre.Console.ValidationResult.Error("RUN is required (id, id prefix or name)") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var db = connector.Get(settings.Connection);
        var runId = await RunQueries.ResolveAsync(db, settings.Run, ct);
        var ids = await RunQueries.UnfinishedSearchIdsAsync(db, runId, ct);
        if (ids.Count == 0)
        {
            console.MarkupLineInterpolated($"every search of run {runId} is done: nothing to resume");
            return 0;
        }
        await publisher.PublishAsync(ids.Select(id => new SearchRequested(runId, id)).ToList(), ct);
        console.MarkupLineInterpolated($"republished [green]{ids.Count}[/] searches of run {runId}");
        return 0;
    }
}
