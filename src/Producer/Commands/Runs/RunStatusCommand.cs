using System.ComponentModel;
using Pipeline.Producer.Infrastructure;
using Pipeline.Producer.Status;
using Pipeline.Storage.Queries;
using Pipeline.Storage.Workers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Runs;

/// <summary><c>pipeline run status [RUN] [--watch]</c>: searches done per strategy, steps/s, ETA, the workers serving
/// the run's models, queue depths.</summary>
public sealed class RunStatusCommand(IAnsiConsole console, DatabaseConnector connector, QueueDepthClient queues, TimeProvider clock)
    : AsyncCommand<RunStatusCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("-w|--watch")]
        [Description("Refresh until every search is done or failed (Ctrl+C to stop)")]
        public bool Watch { get; init; }

        [CommandOption("--interval <SECONDS>")]
        [Description("Refresh interval for --watch")]
        [DefaultValue(2.0)]
        public double Interval { get; init; } = 2.0;

        [CommandOption("--window <SECONDS>")]
        [Description("Window for the recent steps/s figure")]
        [DefaultValue(60.0)]
        public double Window { get; init; } = 60.0;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var db = connector.Get(settings.Connection);
        var runId = await RunQueries.ResolveAsync(db, settings.Run, ct);
        var window = TimeSpan.FromSeconds(Math.Max(1, settings.Window));

        async Task<RunStatusSnapshot> Read()
        {
            var run = await RunQueries.GetAsync(db, runId, ct);
            var strategies = await RunQueries.StrategyProgressAsync(db, runId, ct);
            var recent = await RunQueries.RecentStepsAsync(db, runId, window, ct);
            IReadOnlyList<QueueDepth>? depths = null;
            string? error = null;
            try { depths = await queues.GetAsync(ct); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = e.Message;
            }
            var trouble = await RunTroubleQueries.GetAsync(db, runId, ct);
            var workers = await WorkerStore.ServingAsync(db, [run.PolicyModel, run.PrmModel, .. run.RevisionModel is { } m ? [m] : Array.Empty<string>()], ct);
            return new RunStatusSnapshot(run, strategies, recent, window, depths, error, clock.GetUtcNow().UtcDateTime, trouble, workers);
        }

        var snapshot = await Read();
        if (!settings.Watch || snapshot.Run.Finished)
        {
            console.Write(RunStatusView.Render(snapshot));
            return 0;
        }
        await console.Live(RunStatusView.Render(snapshot)).StartAsync(async live =>
        {
            while (!snapshot.Run.Finished)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.2, settings.Interval)), clock, ct);
                snapshot = await Read();
                live.UpdateTarget(RunStatusView.Render(snapshot));
                live.Refresh();
            }
        });
        return 0;
    }
}
