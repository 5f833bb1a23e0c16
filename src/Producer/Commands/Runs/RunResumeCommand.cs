using Pipeline.Contracts;
using Pipeline.Producer.Infrastructure;
using Pipeline.Producer.Publishing;
using Pipeline.Storage;
using Pipeline.Storage.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Runs;

/// <summary><c>pipeline run resume RUN [--retry-failed]</c>: republishes SearchRequested for every search not done.
/// The Aggregator starts a pending search, re-requests the current round of a running one, and ignores a failed one
/// unless --retry-failed reopened it first.</summary>
public sealed class RunResumeCommand(IAnsiConsole console, DatabaseConnector connector, ISearchPublisher publisher)
    : AsyncCommand<RunResumeCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [System.ComponentModel.Description("Also retry failed searches (the Aggregator skips them otherwise): they go back to running, stored rounds kept")]
        [CommandOption("--retry-failed")]
        public bool RetryFailed { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Run) ? Spectre.Console.ValidationResult.Error("RUN is required (id, id prefix or name)") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var db = connector.Get(settings.Connection);
        var runId = await RunQueries.ResolveAsync(db, settings.Run, ct);
        await publisher.ConnectAsync(ct);
        if (settings.RetryFailed)
        {
            var reopened = await FailedSearchRetry.ReopenAsync(db, runId, ct);
            console.MarkupLineInterpolated($"reopened {reopened} failed searches");
        }
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
