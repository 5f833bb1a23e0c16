using System.Reflection;
using Npgsql;
using Pipeline.Storage.Queries;

namespace Pipeline.Producer.Reports;

/// <summary>What <c>run report --out</c> wrote.</summary>
public sealed record ReportFiles(string Html, IReadOnlyList<string> Pngs, IReadOnlyList<string> Csvs);

/// <summary>Writes <c>run report --out DIR</c>: one PNG per figure, one CSV per panel table (and the run's), and report.html.</summary>
public static class ReportWriter
{
    private const string RunSql = """
        SELECT r.run_id, r.name, d.name AS dataset, r.status, r.created_at, r.finished_at,
               r.policy_model, r.policy_model_path, r.policy_parameters,
               r.prm_model, r.prm_model_path, r.prm_parameters,
               r.revision_model, r.revision_model_path, r.revision_parameters,
               r.temperature, r.top_p, r.max_new_tokens, r.max_steps, r.seed
        FROM pipeline.runs r JOIN pipeline.datasets d ON d.dataset_id = r.dataset_id
        WHERE r.run_id = @run_id
        """;

    /// <param name="largeRunId">A larger policy's run on the same problems, for the FLOPs-matched panel; null leaves it empty.</param>
    public static async Task<ReportFiles> WriteAsync(NpgsqlDataSource db, Guid runId, string outDir, CancellationToken ct, Guid? largeRunId = null)
    {
        Directory.CreateDirectory(outDir);
        var run = await ReportTable.ReadAsync(db, RunSql, runId, ct);
        var spec = await ReportTable.ReadAsync(db, "SELECT spec_json::text AS spec FROM pipeline.runs WHERE run_id = @run_id", runId, ct);
        var csvs = new List<string> { await WriteCsvAsync(outDir, "run", run, ct) };
        var pngs = new List<string>();
        var rendered = new List<RenderedPanel>();
        foreach (var panel in ReportPanels.All)
        {
            if (panel.NeedsLargeRun && largeRunId is null)
            {
                rendered.Add(new RenderedPanel(panel, new ReportTable([], []), [], "needs a larger model's run: run report RUN --large LARGE_RUN"));
                continue;
            }
            var table = await ReportTable.ReadAsync(db, panel.Sql, runId, ct, largeRunId);
            csvs.Add(await WriteCsvAsync(outDir, panel.Id, table, ct));
            var figures = new List<(ReportFigure, byte[])>();
            foreach (var figure in panel.Figures(table))
            {
                var png = figure.Plot.GetImageBytes(Charts.Width, Charts.Height, ScottPlot.ImageFormat.Png);
                var path = Path.Combine(outDir, figure.Name + ".png");
                await File.WriteAllBytesAsync(path, png, ct);
                pngs.Add(path);
                figures.Add((figure, png));
            }
            rendered.Add(new RenderedPanel(panel, table, figures));
        }
        var name = run.Rows.Count > 0 ? (string)run.Rows[0][run.Column("name")]! : runId.ToString();
        var html = HtmlReport.Write($"Run report: {name} ({runId})", run, (string?)spec.Rows.FirstOrDefault()?[0] ?? "{}", GraderVersion(), rendered);
        var htmlPath = Path.Combine(outDir, "report.html");
        await File.WriteAllTextAsync(htmlPath, html, ct);
        return new ReportFiles(htmlPath, pngs, csvs);
    }

    /// <summary>The grading code this report was made with (outcomes were graded by the Aggregator of the run's time).</summary>
    public static string GraderVersion()
    {
        var asm = typeof(Pipeline.Grading.MathAnswerGrader).Assembly;
        var version = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm.GetName().Version?.ToString() ?? "unknown";
        return $"{asm.GetName().Name} {version} (the report's build; outcomes were graded by the Aggregator when the run ran)";
    }

    private static async Task<string> WriteCsvAsync(string outDir, string id, ReportTable table, CancellationToken ct)
    {
        var path = Path.Combine(outDir, id + ".csv");
        await File.WriteAllTextAsync(path, ReportCsv.Write(table), ct);
        return path;
    }
}
