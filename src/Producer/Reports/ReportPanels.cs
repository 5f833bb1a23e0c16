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
        new("efficiency_vs_best_of_n", "Efficiency: compute-optimal vs best-of-N budget",
            "View efficiency_vs_best_of_n: for each cross-validated compute-optimal point (bin, budget n), the budget weighted best-of-N " +
            "needs for the same accuracy in the same bin, read off its curve by log-budget interpolation; ratio = best-of-N budget / " +
            "compute-optimal budget (the paper's \"4x\"). match 'at_smallest': best-of-N's smallest budget already reaches it (ratio is an upper bound); " +
            "'not_reached': best-of-N never gets there (no ratio). The chart shows unit 'generations' in oracle bins; the CSV has tokens and FLOPs too.",
            """
            SELECT bin_kind, bin, budget_n, unit, compute_optimal_accuracy, compute_optimal_budget, best_of_n_budget, ratio, match, chosen_configs
            FROM pipeline.efficiency_vs_best_of_n WHERE run_id = @run_id
            ORDER BY unit, bin_kind, bin, budget_n
            """,
            EfficiencyRatio)
        {
            HtmlRowLimit = 60,
        },
        new("accuracy_by_revision_ratio", "Sequential revisions: sequential/parallel ratio",
            "View accuracy_by_revision_ratio: revisions accuracy by the ratio L / (N/L) of sequential revisions to parallel chains " +
            "(1/N: all parallel, N: one chain), per budget N, over all problems (hierarchical aggregator, last-step PRM score).",
            """
            SELECT bin_kind, bin, strategy_label, budget_n, chain_length, parallel_chains, seq_parallel_ratio, aggregator, step_aggregation,
                   problems, correct, accuracy, mean_generated_tokens
            FROM pipeline.accuracy_by_revision_ratio WHERE run_id = @run_id
            ORDER BY bin_kind, bin, aggregator, step_aggregation, budget_n, chain_length
            """,
            RevisionRatioCurves)
        {
            HtmlRowLimit = 0,
        },
        new("revision_ratio_optimal", "Best sequential/parallel ratio per bin",
            "View revision_ratio_optimal: per bin and budget N the chain length of highest accuracy (in-sample), beside the most parallel " +
            "and most sequential chain lengths.",
            """
            SELECT bin_kind, bin, budget_n, strategy_label, chain_length, parallel_chains, seq_parallel_ratio, aggregator, step_aggregation,
                   problems, correct, accuracy, parallel_chain_length, parallel_accuracy, sequential_chain_length, sequential_accuracy
            FROM pipeline.revision_ratio_optimal WHERE run_id = @run_id
            ORDER BY bin_kind, budget_n, bin
            """,
            ReportPanel.NoFigures),
        new("flops_matched", "FLOPs-matched: more test-time compute vs a larger model",
            "Function flops_matched_comparison(run, large run): at equal total FLOPs (pretraining 6 N D_pretrain + inference 2 N D_inference) " +
            "the small model may spend multiplier x the large model's generations; per R = D_inference / D_pretrain (0.16, 0.79, 22), " +
            "difficulty bin and the large run's budget, the small run's compute-optimal accuracy at that budget against the large run's " +
            "best-of-N. Bars: small - large accuracy in oracle bins, averaged over the large run's budgets (> 0: test-time compute wins).",
            """
            SELECT inference_to_pretraining, parameter_ratio, pretraining_token_ratio, pretraining_tokens_known, multiplier, bin_kind, bin,
                   large_budget_n, large_accuracy, small_budget, small_budget_used, small_accuracy, small_budget_capped, accuracy_difference, winner
            FROM pipeline.flops_matched_comparison(@run_id, @large_run_id)
            ORDER BY bin_kind, inference_to_pretraining, bin, large_budget_n
            """,
            FlopsMatched)
        {
            NeedsLargeRun = true,
        },
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

    private static IReadOnlyList<ReportFigure> EfficiencyRatio(ReportTable t)
    {
        int kind = t.Column("bin_kind"), bin = t.Column("bin"), budget = t.Column("budget_n"), unit = t.Column("unit"), ratio = t.Column("ratio");
        var rows = t.Rows.Where(r => (string?)r[kind] == "oracle" && (string?)r[unit] == "generations" && r[ratio] is not null).ToList();
        if (rows.Count == 0) return [];
        var series = rows.GroupBy(r => Convert.ToInt32(r[bin], CultureInfo.InvariantCulture)).OrderBy(g => g.Key)
            .Select(g => new Series($"oracle bin {g.Key}", g.OrderBy(r => Convert.ToInt32(r[budget], CultureInfo.InvariantCulture))
                .Select(r => ((double)Convert.ToInt32(r[budget], CultureInfo.InvariantCulture), Convert.ToDouble(r[ratio], CultureInfo.InvariantCulture))).ToList()))
            .ToList();
        return
        [
            new("efficiency_ratio", "Efficiency ratio per oracle bin: best-of-N generations needed for the compute-optimal accuracy / compute-optimal generations (> 1: compute-optimal saves compute).",
                Charts.Lines("Efficiency: best-of-N budget / compute-optimal budget", "compute-optimal budget n (log2 scale)", "ratio (generations)", series, log2X: true)),
        ];
    }

    private static IReadOnlyList<ReportFigure> RevisionRatioCurves(ReportTable t)
    {
        int kind = t.Column("bin_kind"), ratio = t.Column("seq_parallel_ratio"), budget = t.Column("budget_n"), agg = t.Column("aggregator"),
            step = t.Column("step_aggregation"), acc = t.Column("accuracy");
        var all = t.Rows.Where(r => (string?)r[kind] == "all" && (string?)r[step] == "last").ToList();
        var aggregator = all.Any(r => (string?)r[agg] == "hierarchical") ? "hierarchical" : "weighted";
        var rows = all.Where(r => (string?)r[agg] == aggregator).ToList();
        if (rows.Count == 0) return [];
        var series = rows.GroupBy(r => Convert.ToInt32(r[budget], CultureInfo.InvariantCulture)).OrderBy(g => g.Key)
            .Select(g => new Series($"N = {g.Key}", g.OrderBy(r => Convert.ToDouble(r[ratio], CultureInfo.InvariantCulture))
                .Select(r => (Convert.ToDouble(r[ratio], CultureInfo.InvariantCulture), Convert.ToDouble(r[acc], CultureInfo.InvariantCulture) * 100)).ToList()))
            .ToList();
        return
        [
            new("revision_ratio", $"Revisions accuracy vs sequential/parallel ratio L / (N/L), per budget N ({aggregator}, last step), all problems.",
                Charts.Lines("Sequential revisions vs parallel sampling", "sequential/parallel ratio (log2 scale)", "accuracy %", series, log2X: true, (0, 100))),
        ];
    }

    private static IReadOnlyList<ReportFigure> FlopsMatched(ReportTable t)
    {
        int kind = t.Column("bin_kind"), r = t.Column("inference_to_pretraining"), bin = t.Column("bin"), diff = t.Column("accuracy_difference");
        var rows = t.Rows.Where(x => (string?)x[kind] == "oracle" && x[diff] is not null).ToList();
        if (rows.Count == 0) return [];
        var bins = rows.Select(x => Convert.ToInt32(x[bin], CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        var series = rows.GroupBy(x => Convert.ToDouble(x[r], CultureInfo.InvariantCulture)).OrderBy(g => g.Key)
            .Select(g => ($"R = {g.Key.ToString("0.##", CultureInfo.InvariantCulture)}", bins.Select(b =>
            {
                var at = g.Where(x => Convert.ToInt32(x[bin], CultureInfo.InvariantCulture) == b).ToList();
                return at.Count == 0 ? (double?)null : 100 * at.Average(x => Convert.ToDouble(x[diff], CultureInfo.InvariantCulture));
            }).ToArray())).ToList();
        return
        [
            new("flops_matched", "Small model with compute-optimal test-time compute minus the larger model's best-of-N, at equal FLOPs, per oracle bin and R (percentage points).",
                Charts.GroupedBars("FLOPs-matched: small + test-time compute vs large", "oracle difficulty bin", "accuracy difference, points",
                    bins.Select(b => $"B{b}").ToList(), series)),
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
