using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Pipeline.Producer.Infrastructure;
using Pipeline.Search.Analysis;
using Pipeline.Storage.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Runs;

/// <summary><c>pipeline run compare SMALL_RUN LARGE_RUN</c>: the paper's FLOPs-matched comparison of a small policy
/// with test-time compute against a larger one, per R, difficulty bin and budget (function
/// <c>pipeline.flops_matched_comparison</c>).</summary>
public sealed class RunCompareCommand(IAnsiConsole console, DatabaseConnector connector) : AsyncCommand<RunCompareCommand.Settings>
{
    public sealed class Settings : DatabaseSettings
    {
        [CommandArgument(0, "<SMALL_RUN>")]
        [Description("Run of the smaller policy: id, id prefix or name")]
        public string Small { get; init; } = "";

        [CommandArgument(1, "<LARGE_RUN>")]
        [Description("Run of the larger policy on the same dataset")]
        public string Large { get; init; } = "";

        [CommandOption("-r|--ratio <R>")]
        [Description("Inference-to-pretraining token ratio R, repeatable; default the paper's 0.16, 0.79 and 22")]
        public string[]? Ratios { get; init; }

        [CommandOption("--bins <KIND>")]
        [Description("oracle (pass@1 quintiles) or predicted (PRM score quintiles)")]
        [DefaultValue("oracle")]
        public string Bins { get; init; } = "oracle";

        [CommandOption("--json")]
        [Description("Print every row as JSON (both bin kinds) instead of the table")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Bins is not ("oracle" or "predicted")) return ValidationResult.Error($"--bins '{Bins}' is not one of: oracle, predicted");
            foreach (var r in Ratios ?? [])
                if (!double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v > 0) || double.IsInfinity(v))
                    return ValidationResult.Error($"--ratio '{r}' is not a positive number");
            return ValidationResult.Success();
        }

        public IReadOnlyList<double> RatioValues => Ratios is { Length: > 0 }
            ? Ratios.Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToList()
            : ComputeMath.PaperInferenceToPretraining;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var db = connector.Get(settings.Connection);
        var small = await RunQueries.GetAsync(db, await RunQueries.ResolveAsync(db, settings.Small, ct), ct);
        var large = await RunQueries.GetAsync(db, await RunQueries.ResolveAsync(db, settings.Large, ct), ct);
        IReadOnlyList<FlopsMatchedRow> rows;
        try
        {
            rows = await AnalysisQueries.FlopsMatchedAsync(db, small.RunId, large.RunId, settings.RatioValues, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.RaiseException)
        {
            throw new CliException(e.MessageText);
        }

        if (settings.Json)
        {
            console.WriteLine(JsonSerializer.Serialize(new { small_run = small.RunId, large_run = large.RunId, rows }, JsonOptions));
            return 0;
        }
        console.MarkupLineInterpolated($"small [blue]{small.Name}[/] ({small.PolicyModel}) vs large [blue]{large.Name}[/] ({large.PolicyModel}), dataset {small.Dataset}");
        var shown = rows.Where(r => r.BinKind == settings.Bins).ToList();
        if (shown.Count == 0)
        {
            console.MarkupLine("[yellow]no rows:[/] the small run needs difficulty bins (a finished best_of_n, or difficulty_from) and compute_optimal_cv rows; the large run weighted best_of_n outcomes");
            return 0;
        }
        var first = shown[0];
        console.MarkupLineInterpolated($"M = {first.ParameterRatio:0.###} (policy parameters), pretraining tokens large/small = {first.PretrainingTokenRatio:0.###}{(first.PretrainingTokensKnown ? "" : " (unknown: assumed equal)")}");
        var table = new Table().AddColumns("R", "multiplier", "bin", "large N", "large acc", "small N", "small acc", "diff", "winner");
        foreach (var r in shown)
            table.AddRow(
                r.InferenceToPretraining.ToString("0.###", CultureInfo.InvariantCulture),
                r.Multiplier.ToString("0.##", CultureInfo.InvariantCulture),
                $"B{r.Bin}",
                r.LargeBudgetN.ToString(CultureInfo.InvariantCulture),
                Percent(r.LargeAccuracy),
                r.SmallBudget.ToString("0.#", CultureInfo.InvariantCulture) + (r.SmallBudgetCapped ? $" (ran {r.SmallBudgetUsed:0})" : ""),
                r.SmallAccuracy is { } a ? Percent(a) : "-",
                r.AccuracyDifference is { } d ? (d >= 0 ? "+" : "") + (100 * d).ToString("0.0", CultureInfo.InvariantCulture) : "-",
                Markup.Escape(r.Winner ?? "-") + (r.SmallBudgetCapped && r.Winner == "large" ? " (inconclusive)" : ""));
        console.Write(table);
        if (shown.Any(r => r.SmallBudgetCapped))
            console.MarkupLine("(ran N): the small run's largest budget is below the FLOPs-matched one; a large-side win there is inconclusive");
        return 0;
    }

    private static string Percent(double accuracy) => (100 * accuracy).ToString("0.0", CultureInfo.InvariantCulture);
}
