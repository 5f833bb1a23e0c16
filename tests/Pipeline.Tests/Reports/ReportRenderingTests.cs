using Pipeline.Producer.Reports;
using Pipeline.Storage.Queries;

namespace Pipeline.Tests.Reports;

public sealed class ReportRenderingTests
{
    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    private static ReportTable Accuracy(params (string Label, int N, string Agg, string Step, double Acc)[] rows) => new(
        ["strategy_label", "budget_n", "aggregator", "step_aggregation", "problems", "correct", "accuracy", "mean_generated_tokens", "mean_flops"],
        rows.Select(r => new object?[] { r.Label, r.N, r.Agg, r.Step, 10, (int)(r.Acc * 10), r.Acc, 100.0, 1e6 }).ToList());

    [Fact]
    public void Csv_quotes_commas_quotes_and_newlines_and_writes_null_as_empty()
    {
        var t = new ReportTable(["a", "b,c"], [["x,y", "say \"hi\""], [null, "two\nlines"], [0.1, true]]);
        Assert.Equal("a,\"b,c\"\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n,\"two\nlines\"\r\n0.1,true\r\n", ReportCsv.Write(t));
    }

    [Fact]
    public void Csv_numbers_round_trip_and_times_are_utc_iso_8601()
    {
        Assert.Equal("0.1", ReportCsv.Format(0.1));
        Assert.Equal("1E-07", ReportCsv.Format(1e-7));
        Assert.Equal("2026-01-02T03:04:05.000Z", ReportCsv.Format(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)));
    }

    [Fact]
    public void Accuracy_panel_draws_strategies_and_best_of_n_aggregators_as_png()
    {
        var panel = ReportPanels.All.Single(p => p.Id == "accuracy_overall");
        var figures = panel.Figures(Accuracy(
            ("best_of_n", 1, "weighted", "last", 0.5), ("best_of_n", 4, "weighted", "last", 0.6), ("best_of_n", 4, "majority", "none", 0.55),
            ("best_of_n", 4, "pass", "none", 0.9), ("revisions(L=4)", 4, "hierarchical", "last", 0.7), ("revisions(L=4)", 4, "weighted", "last", 0.65)));
        Assert.Equal(["accuracy_vs_budget", "best_of_n_aggregators"], figures.Select(f => f.Name));
        var png = figures[0].Plot.GetImageBytes(Charts.Width, Charts.Height, ScottPlot.ImageFormat.Png);
        Assert.Equal(PngMagic, png[..4]);
        Assert.True(png.Length > 5_000, $"{png.Length} bytes: nothing drawn?");
    }

    [Fact]
    public void Every_panel_draws_nothing_from_an_empty_view_and_has_a_unique_id()
    {
        foreach (var panel in ReportPanels.All)
        {
            var columns = panel.Sql.Split("FROM")[0].Replace("SELECT", "").Split(',')
                .Select(c => c.Trim().Split(' ', '.')[^1]).ToList();
            Assert.Empty(panel.Figures(new ReportTable(columns, [])));
        }
        Assert.Equal(ReportPanels.All.Count, ReportPanels.All.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void Html_is_self_contained_and_escapes_what_it_shows()
    {
        var png = ReportPanels.All[0].Figures(Accuracy(("best_of_n", 1, "weighted", "last", 0.5), ("best_of_n", 2, "weighted", "last", 0.6)))[0];
        var bytes = png.Plot.GetImageBytes(Charts.Width, Charts.Height, ScottPlot.ImageFormat.Png);
        var table = Accuracy(("<script>alert(1)</script>", 1, "weighted", "last", 0.5));
        var html = HtmlReport.Write("t", new ReportTable(["name"], [["run & co"]]), "{\"name\": \"x\"}", "grader 1",
            [new RenderedPanel(ReportPanels.All[0], table, [(png, bytes)])]);
        Assert.Contains("src=\"data:image/png;base64," + Convert.ToBase64String(bytes) + "\"", html);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("run &amp; co", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
    }
}
