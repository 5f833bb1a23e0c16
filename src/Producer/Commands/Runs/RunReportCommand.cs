using System.ComponentModel;
using Pipeline.Producer.Infrastructure;
using Pipeline.Producer.Reports;
using Pipeline.Search.Aggregation;
using Pipeline.Storage.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Runs;

/// <summary><c>pipeline run report [RUN]</c>: accuracy by level and budget per strategy and aggregator,
/// from the accuracy_by_budget / accuracy_overall views; with <c>--out DIR</c> also charts, CSVs and report.html (<see cref="ReportWriter"/>).</summary>
public sealed class RunReportCommand(IAnsiConsole console, DatabaseConnector connector) : AsyncCommand<RunReportCommand.Settings>
{
    private static readonly IReadOnlyList<string> ScoredStepAggregations = StepAggregations.Scored.Select(s => s.Name()).ToList();

    public sealed class Settings : RunSettings
    {
        [CommandOption("--step-aggregation <HOW>")]
        [Description("PRM step aggregation to show: last (paper default), min, prod or mean")]
        [DefaultValue("last")]
        public string StepAggregation { get; init; } = "last";

        [CommandOption("--bins <KIND>")]
        [Description("Columns: level (dataset levels), oracle (quintiles of pass@1 of the best-of-N samples) or predicted (quintiles of their mean final PRM score)")]
        [DefaultValue("level")]
        public string Bins { get; init; } = "level";

        [CommandOption("--aggregator <NAME>")]
        [Description("Only this answer aggregator: weighted, majority, naive, pass or hierarchical (revisions); default all")]
        public string? Aggregator { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Also write PNG charts, a CSV of every table and a self-contained report.html into DIR")]
        public string? Out { get; init; }

        [CommandOption("--large <RUN>")]
        [Description("With --out: a larger policy's run on the same problems, for the FLOPs-matched panel (as in 'run compare')")]
        public string? Large { get; init; }

        public override ValidationResult Validate()
        {
            if (!ScoredStepAggregations.Contains(StepAggregation))
                return ValidationResult.Error($"--step-aggregation '{StepAggregation}' is not one of: {string.Join(", ", ScoredStepAggregations)}");
            if (Bins is not ("level" or "oracle" or "predicted"))
                return ValidationResult.Error($"--bins '{Bins}' is not one of: level, oracle, predicted");
            if (Aggregator is not null && !AnswerAggregators.TryParse(Aggregator, out _))
                return ValidationResult.Error($"--aggregator '{Aggregator}' is not one of: {string.Join(", ", AnswerAggregators.Names)}");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var db = connector.Get(settings.Connection);
        var runId = await RunQueries.ResolveAsync(db, settings.Run, ct);
        var run = await RunQueries.GetAsync(db, runId, ct);
        console.MarkupLineInterpolated($"run [blue]{run.Name}[/] {run.RunId}: dataset {run.Dataset}, policy {run.PolicyModel}, prm {run.PrmModel}; {run.SearchesDone}/{run.Searches} searches done, {run.SearchesFailed} failed");
        if (run.SearchesFailed > 0)
            foreach (var (reason, n) in (await RunTroubleQueries.GetAsync(db, runId, ct)).FailureReasons)
                console.MarkupLineInterpolated($"[red]failed[/] {n}: {reason}");
        var rows = await RunQueries.AccuracyAsync(db, runId, ct, settings.Bins);
        var order = (await RunQueries.StrategyProgressAsync(db, runId, ct)).Select(p => p.Label).ToList();
        if (settings.Bins != "level" && rows.All(r => r.AllLevels))
            console.MarkupLine("[yellow]no difficulty bins yet:[/] they come from the run's finished best_of_n searches");
        console.Write(RunReportView.Render(rows, settings.StepAggregation, settings.Aggregator, order, settings.Bins == "level" ? "L" : "B"));
        if (rows.Count > 0 && settings.Bins == "level") console.Write(RunReportView.RenderComputeOptimal(await RunQueries.ComputeOptimalAsync(db, runId, ct)));
        if (rows.Count > 0 && settings.Bins != "level")
            console.Write(RunReportView.RenderComputeOptimalCv(await RunQueries.ComputeOptimalCvAsync(db, runId, settings.Bins, ct), settings.Bins));
        if (settings.Out is { } outDir)
        {
            Guid? large = settings.Large is null ? null : await RunQueries.ResolveAsync(db, settings.Large, ct);
            var files = await ReportWriter.WriteAsync(db, runId, outDir, ct, large);
            console.MarkupLineInterpolated($"wrote [blue]{files.Html}[/] ({files.Pngs.Count} charts, {files.Csvs.Count} CSV tables in {outDir})");
        }
        return 0;
    }
}
