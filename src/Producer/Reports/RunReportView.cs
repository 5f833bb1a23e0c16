using System.Globalization;
using Pipeline.Search.Aggregation;
using Pipeline.Storage.Queries;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pipeline.Producer.Reports;

/// <summary>Accuracy tables for <c>run report</c>: one per strategy config; rows = aggregator x budget,
/// columns = difficulty levels and all levels together. Pure.</summary>
public static class RunReportView
{
    /// <param name="stepAggregation">Rows with this PRM step aggregation are shown (plus the aggregators that use none).</param>
    /// <param name="aggregator">Only this aggregator, or all when null.</param>
    /// <param name="strategyOrder">Strategy labels in the order tables are shown (the spec's order); others follow by name.</param>
    /// <param name="binPrefix">Column header prefix of the per-bin columns: "L" for levels, "B" for difficulty bins.</param>
    public static IRenderable Render(IReadOnlyList<AccuracyRow> rows, string stepAggregation, string? aggregator,
        IReadOnlyList<string>? strategyOrder = null, string binPrefix = "L")
    {
        var shown = rows.Where(r => (r.StepAggregation == stepAggregation || r.StepAggregation == NoStepAggregation)
                                    && (aggregator is null || r.Aggregator == aggregator)).ToList();
        if (shown.Count == 0) return new Markup("[yellow]no outcomes match yet[/] (searches write outcomes when they finish)\n");

        var levels = shown.Where(r => !r.AllLevels && r.Level is not null).Select(r => r.Level!.Value).Distinct().Order().ToList();
        var output = new List<IRenderable>();
        int Rank(string label) => strategyOrder?.ToList().IndexOf(label) is >= 0 and var i ? i : int.MaxValue;
        foreach (var strategy in shown.GroupBy(r => r.StrategyLabel).OrderBy(g => Rank(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var table = new Table().Title($"[bold]{Markup.Escape(strategy.Key)}[/]").AddColumn("aggregator").AddColumn(new TableColumn("N").RightAligned());
            foreach (var level in levels) table.AddColumn(new TableColumn($"{binPrefix}{level}").RightAligned());
            table.AddColumn(new TableColumn("all").RightAligned()).AddColumn(new TableColumn("tokens/problem").RightAligned());

            foreach (var group in strategy.GroupBy(r => (r.Aggregator, r.StepAggregation, r.BudgetN))
                         .OrderBy(g => AggregatorOrder(g.Key.Aggregator)).ThenBy(g => g.Key.BudgetN))
            {
                var all = group.FirstOrDefault(r => r.AllLevels);
                var name = group.Key.StepAggregation == NoStepAggregation ? group.Key.Aggregator : $"{group.Key.Aggregator}/{group.Key.StepAggregation}";
                var cells = new List<string> { Markup.Escape(name), group.Key.BudgetN.ToString(CultureInfo.InvariantCulture) };
                foreach (var level in levels)
                    cells.Add(Cell(group.FirstOrDefault(r => !r.AllLevels && r.Level == level)));
                cells.Add(Cell(all));
                cells.Add(all is null ? "" : all.MeanGeneratedTokens.ToString("0", CultureInfo.InvariantCulture));
                table.AddRow(cells.ToArray());
            }
            output.Add(table);
        }
        output.Add(new Markup(binPrefix == "L"
            ? "[grey]cells: accuracy % (correct/problems)[/]\n"
            : "[grey]cells: accuracy % (correct/problems); B1 = easiest difficulty quintile[/]\n"));
        return new Rows(output);
    }

    /// <summary>Per budget (rows) and level (columns): the best config and its accuracy, and best-of-N's at the same n.</summary>
    public static IRenderable RenderComputeOptimal(IReadOnlyList<ComputeOptimalRow> rows)
    {
        if (rows.Count == 0) return new Text("");
        var levels = rows.Select(r => r.Level).Distinct().OrderBy(l => l ?? int.MaxValue).ToList();
        var table = new Table().Title("[bold]compute-optimal config per level (in-sample), accuracy % vs best-of-N[/]")
            .AddColumn(new TableColumn("N").RightAligned());
        foreach (var level in levels) table.AddColumn(level is null ? "all" : $"L{level}");
        foreach (var budget in rows.GroupBy(r => r.BudgetN).OrderBy(g => g.Key))
        {
            var cells = new List<string> { budget.Key.ToString(CultureInfo.InvariantCulture) };
            foreach (var level in levels)
            {
                var r = budget.FirstOrDefault(x => x.Level == level);
                cells.Add(r is null ? "" : Markup.Escape(
                    $"{r.StrategyLabel} {Percent(r.Accuracy)}" + (r.BestOfNAccuracy is { } b ? $" vs {Percent(b)}" : "")));
            }
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    /// <summary>Per budget (rows) and difficulty bin (columns): 2-fold cross-validated compute-optimal accuracy vs best-of-N.</summary>
    public static IRenderable RenderComputeOptimalCv(IReadOnlyList<ComputeOptimalCvRow> rows, string bins)
    {
        if (rows.Count == 0) return new Text("");
        var binList = rows.Select(r => r.Bin).Distinct().Order().ToList();
        var table = new Table().Title($"[bold]compute-optimal, 2-fold cross-validated, by {bins} bin: accuracy % vs best-of-N[/]")
            .AddColumn(new TableColumn("N").RightAligned());
        foreach (var bin in binList) table.AddColumn(new TableColumn($"B{bin}").RightAligned());
        foreach (var budget in rows.GroupBy(r => r.BudgetN).OrderBy(g => g.Key))
        {
            var cells = new List<string> { budget.Key.ToString(CultureInfo.InvariantCulture) };
            foreach (var bin in binList)
            {
                var r = budget.FirstOrDefault(x => x.Bin == bin);
                cells.Add(r is null ? "" : Percent(r.CvAccuracy) + (r.BestOfNAccuracy is { } b ? $" vs {Percent(b)}" : ""));
            }
            table.AddRow(cells.ToArray());
        }
        return new Rows(table, new Markup("[grey]bins need problems in both folds (problem_id parity); configs per cell: view compute_optimal_cv[/]\n"));
    }

    private static string Percent(double accuracy) => (accuracy * 100).ToString("0.0", CultureInfo.InvariantCulture);

    internal static string Cell(AccuracyRow? r) =>
        r is null ? "" : $"{(r.Accuracy * 100).ToString("0.0", CultureInfo.InvariantCulture)} ({r.Correct}/{r.Problems})";

    private static readonly string NoStepAggregation = StepAggregation.None.Name();

    /// <summary>Aggregators in <see cref="AnswerAggregators.All"/> order; a name the code does not know goes last.</summary>
    private static int AggregatorOrder(string a) =>
        AnswerAggregators.TryParse(a, out var known) ? AnswerAggregators.All.ToList().IndexOf(known) : AnswerAggregators.All.Count;
}
