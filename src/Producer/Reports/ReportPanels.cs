using System.Globalization;
using Pipeline.Storage.Queries;

namespace Pipeline.Producer.Reports;

/// <summary>The panels of <c>run report --out</c>, in page order. Each reads one view; docs/analysis.md says how
/// each figure is computed.</summary>
public static class ReportPanels
{
    public static IReadOnlyList<ReportPanel> All { get; } =
    [
        new("accuracy_overall", "Accuracy vs budget",
            "View accuracy_overall: accuracy over all problems per strategy config, budget n, aggregator and step aggregation. " +
            "Lines: each strategy with its main aggregator (weighted vote, last-step PRM score; revisions: hierarchical); " +
            "the second chart shows best-of-N under every aggregator (pass@n is the oracle upper bound).",
            """
            SELECT strategy_label, budget_n, aggregator, step_aggregation, problems, correct, accuracy, mean_generated_tokens, mean_flops
            FROM pipeline.accuracy_overall WHERE run_id = @run_id
            ORDER BY strategy_label, aggregator, step_aggregation, budget_n
            """,
            AccuracyVsBudget),
        new("accuracy_by_level", "Accuracy by dataset level",
            "View accuracy_by_budget: accuracy per dataset level (MATH levels 1-5). Bars: each strategy's main aggregator at the budget most strategies share.",
            """
            SELECT strategy_label, budget_n, aggregator, step_aggregation, level, problems, correct, accuracy, mean_generated_tokens
            FROM pipeline.accuracy_by_budget WHERE run_id = @run_id
            ORDER BY strategy_label, aggregator, step_aggregation, budget_n, level
            """,
            t => BinBars(t, "level", "L", "dataset level", "accuracy_by_level"))
        {
            HtmlRowLimit = 0,
        },
        new("accuracy_by_difficulty", "Accuracy by difficulty bin",
            "View accuracy_by_difficulty: accuracy per difficulty quintile of the run's best-of-N samples (1 = easiest): " +
            "oracle bins from pass@1, predicted bins from the mean final PRM score (no gold answers needed).",
            """
            SELECT bin_kind, bin, strategy_label, budget_n, aggregator, step_aggregation, problems, correct, accuracy, mean_generated_tokens
            FROM pipeline.accuracy_by_difficulty WHERE run_id = @run_id
            ORDER BY bin_kind, strategy_label, aggregator, step_aggregation, budget_n, bin
            """,
            t =>
            [
                .. BinBars(Where(t, "bin_kind", "oracle"), "bin", "B", "oracle difficulty bin (pass@1 quintile)", "accuracy_by_oracle_bin"),
                .. BinBars(Where(t, "bin_kind", "predicted"), "bin", "B", "predicted difficulty bin (PRM score quintile)", "accuracy_by_predicted_bin"),
            ])
        {
            HtmlRowLimit = 0,
        },
        new("compute_optimal_cv", "Compute-optimal (2-fold cross-validated) vs best-of-N",
            "View compute_optimal_cv: per difficulty bin and budget, the config chosen on one fold of the problems and scored on the other " +
            "(both directions). The chart pools the bins: accuracy = correct / problems over all bins; best-of-N (weighted, last) pooled the same way.",
            """
            SELECT bin_kind, bin, budget_n, problems, correct, cv_accuracy, best_of_n_accuracy, chosen_configs
            FROM pipeline.compute_optimal_cv WHERE run_id = @run_id
            ORDER BY bin_kind, budget_n, bin
            """,
            ComputeOptimalVsBestOfN),
        new("compute_optimal_by_level", "Compute-optimal per level (in-sample)",
            "View compute_optimal_by_level: per level and budget the most accurate config, picked and scored on the same problems " +
            "(an upper bound on a cross-validated choice), next to weighted best-of-N.",
            """
            SELECT level, budget_n, strategy_label, aggregator, step_aggregation, problems, correct, accuracy, best_of_n_accuracy, mean_generated_tokens
            FROM pipeline.compute_optimal_by_level WHERE run_id = @run_id
            ORDER BY budget_n, level
            """,
            ReportPanel.NoFigures),
        new("difficulty_bins", "Difficulty bins",
            "View problem_difficulty, grouped by oracle bin: how hard each quintile is (pass@1 of the best-of-N samples) and how often " +
            "the PRM's predicted bin agrees with the oracle bin.",
            """
            SELECT oracle_bin, count(*)::int AS problems, min(pass_at_1) AS min_pass_at_1, avg(pass_at_1) AS mean_pass_at_1,
                   max(pass_at_1) AS max_pass_at_1, avg(mean_final_score) AS mean_final_score,
                   avg((predicted_bin = oracle_bin)::int)::double precision AS predicted_bin_agrees
            FROM pipeline.problem_difficulty WHERE run_id = @run_id
            GROUP BY oracle_bin ORDER BY oracle_bin
            """,
            DifficultyBins),
        new("problem_difficulty", "Difficulty per problem",
            "View problem_difficulty: pass@1 and mean final PRM score of each problem over the best-of-N samples, and its bins.",
            """
            SELECT d.problem_id, p.unique_id, p.level, d.samples, d.correct_samples, d.pass_at_1, d.mean_final_score, d.oracle_bin, d.predicted_bin
            FROM pipeline.problem_difficulty d JOIN pipeline.problems p ON p.problem_id = d.problem_id
            WHERE d.run_id = @run_id ORDER BY d.oracle_bin, d.problem_id
            """,
            ReportPanel.NoFigures)
        {
            HtmlRowLimit = 0,
        },
    ];

    private static IReadOnlyList<ReportFigure> AccuracyVsBudget(ReportTable t)
    {
        if (t.Rows.Count == 0) return [];
        var main = MainRows(t);
        var strategies = main.Select(r => r.Label).Distinct().ToList();
        var lines = strategies.Select(s => new Series(s,
            main.Where(r => r.Label == s).OrderBy(r => r.Budget).Select(r => ((double)r.Budget, r.Accuracy * 100)).ToList())).ToList();
        var figures = new List<ReportFigure>
        {
            new("accuracy_vs_budget", "Accuracy vs generation budget n (log2 axis), each strategy with its main aggregator.",
                Charts.Lines("Accuracy vs budget", "budget n (generations, log2 scale)", "accuracy %", lines, log2X: true, (0, 100))),
        };
        var bon = Rows(t).Where(r => r.Label == "best_of_n" && r.StepAggregation is "last" or "none").ToList();
        if (bon.Count > 0)
        {
            var aggregators = bon.GroupBy(r => r.Aggregator).Select(g => new Series(g.Key == "pass" ? "pass@n (oracle)" : g.Key,
                g.OrderBy(r => r.Budget).Select(r => ((double)r.Budget, r.Accuracy * 100)).ToList())).ToList();
            figures.Add(new("best_of_n_aggregators", "Best-of-N under each answer aggregator (last-step PRM score); pass@n is the oracle.",
                Charts.Lines("Best-of-N: answer aggregators", "budget n (log2 scale)", "accuracy %", aggregators, log2X: true, (0, 100))));
        }
        return figures;
    }

    /// <summary>Grouped bars per bin at the budget shared by the most strategies (ties: the larger budget).</summary>
    private static IReadOnlyList<ReportFigure> BinBars(ReportTable t, string binColumn, string prefix, string xLabel, string name)
    {
        if (t.Rows.Count == 0) return [];
        var bin = t.Column(binColumn);
        var rows = MainRows(t).Select((r, _) => r).ToList();
        var budget = rows.GroupBy(r => r.Budget).OrderByDescending(g => g.Select(r => r.Label).Distinct().Count()).ThenByDescending(g => g.Key).First().Key;
        var at = rows.Where(r => r.Budget == budget && r.Row[bin] is not null).ToList();
        var bins = at.Select(r => Convert.ToInt32(r.Row[bin], CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        var series = at.GroupBy(r => r.Label).Select(g => (g.Key, bins.Select(b =>
            g.FirstOrDefault(r => Convert.ToInt32(r.Row[bin], CultureInfo.InvariantCulture) == b) is { } x ? x.Accuracy * 100 : (double?)null).ToArray())).ToList();
        return
        [
            new(name, $"Accuracy per {xLabel} at n = {budget}, each strategy with its main aggregator.",
                Charts.GroupedBars($"Accuracy by {xLabel}, n = {budget}", xLabel, "accuracy %", bins.Select(b => $"{prefix}{b}").ToList(), series, (0, 105))),
        ];
    }

    private static IReadOnlyList<ReportFigure> ComputeOptimalVsBestOfN(ReportTable t)
    {
        if (t.Rows.Count == 0) return [];
        int kind = t.Column("bin_kind"), budget = t.Column("budget_n"), problems = t.Column("problems"), correct = t.Column("correct"), bon = t.Column("best_of_n_accuracy");
        var series = new List<Series>();
        foreach (var g in t.Rows.GroupBy(r => (string)r[kind]!).OrderBy(g => g.Key))
            series.Add(new Series($"compute-optimal, {g.Key} bins (CV)", g.GroupBy(r => Convert.ToInt32(r[budget], CultureInfo.InvariantCulture)).OrderBy(b => b.Key)
                .Select(b => ((double)b.Key, 100.0 * b.Sum(r => Convert.ToInt32(r[correct], CultureInfo.InvariantCulture)) / b.Sum(r => Convert.ToInt32(r[problems], CultureInfo.InvariantCulture)))).ToList()));
        var oracle = t.Rows.Where(r => (string)r[kind]! == "oracle" && r[bon] is not null).ToList();
        if (oracle.Count > 0)
            series.Add(new Series("best-of-N (weighted)", oracle.GroupBy(r => Convert.ToInt32(r[budget], CultureInfo.InvariantCulture)).OrderBy(b => b.Key)
                .Select(b => ((double)b.Key, 100.0 * b.Sum(r => Convert.ToDouble(r[bon], CultureInfo.InvariantCulture) * Convert.ToInt32(r[problems], CultureInfo.InvariantCulture))
                                               / b.Sum(r => Convert.ToInt32(r[problems], CultureInfo.InvariantCulture)))).ToList()));
        return
        [
            new("compute_optimal_vs_best_of_n", "Compute-optimal selection (2-fold CV, bins pooled) vs weighted best-of-N at the same budget.",
                Charts.Lines("Compute-optimal vs best-of-N", "budget n (log2 scale)", "accuracy %", series, log2X: true, (0, 100))),
        ];
    }

    private static IReadOnlyList<ReportFigure> DifficultyBins(ReportTable t)
    {
        if (t.Rows.Count == 0) return [];
        int bin = t.Column("oracle_bin"), pass = t.Column("mean_pass_at_1"), score = t.Column("mean_final_score"), agree = t.Column("predicted_bin_agrees");
        double? Pct(object? v) => v is null ? null : 100 * Convert.ToDouble(v, CultureInfo.InvariantCulture);
        return
        [
            new("difficulty_bins", "Per oracle bin: mean pass@1 of the best-of-N samples, mean final PRM score, and how often the predicted bin is the same.",
                Charts.GroupedBars("Difficulty bins", "oracle difficulty bin (1 = easiest)", "%",
                    t.Rows.Select(r => $"B{r[bin]}").ToList(),
                    [
                        ("mean pass@1", t.Rows.Select(r => Pct(r[pass])).ToArray()),
                        ("mean final PRM score", t.Rows.Select(r => Pct(r[score])).ToArray()),
                        ("predicted bin = oracle bin", t.Rows.Select(r => Pct(r[agree])).ToArray()),
                    ], (0, 105))),
        ];
    }

    /// <summary>A row of an accuracy view, typed.</summary>
    private sealed record AccuracyPoint(string Label, int Budget, string Aggregator, string StepAggregation, double Accuracy, object?[] Row);

    private static IEnumerable<AccuracyPoint> Rows(ReportTable t)
    {
        int label = t.Column("strategy_label"), budget = t.Column("budget_n"), agg = t.Column("aggregator"), step = t.Column("step_aggregation"), acc = t.Column("accuracy");
        return t.Rows.Select(r => new AccuracyPoint((string)r[label]!, Convert.ToInt32(r[budget], CultureInfo.InvariantCulture), (string)r[agg]!,
            (string)r[step]!, Convert.ToDouble(r[acc], CultureInfo.InvariantCulture), r));
    }

    /// <summary>Each strategy's main aggregator: weighted vote over last-step scores (the paper's default), or
    /// hierarchical for revisions when it has it.</summary>
    private static List<AccuracyPoint> MainRows(ReportTable t)
    {
        var rows = Rows(t).Where(r => r.StepAggregation == "last").ToList();
        var hierarchical = rows.Where(r => r.Aggregator == "hierarchical").Select(r => r.Label).ToHashSet();
        return rows.Where(r => hierarchical.Contains(r.Label) ? r.Aggregator == "hierarchical" : r.Aggregator == "weighted").ToList();
    }

    private static ReportTable Where(ReportTable t, string column, string value)
    {
        var i = t.Column(column);
        return t with { Rows = t.Rows.Where(r => Equals(r[i], value)).ToList() };
    }
}
