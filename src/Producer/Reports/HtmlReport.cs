using System.Net;
using System.Text;
using System.Text.Json;
using Pipeline.Storage.Queries;

namespace Pipeline.Producer.Reports;

/// <summary>A drawn panel: its table, and each figure as PNG bytes.</summary>
/// <param name="Skipped">Why the panel was not read (shown instead of the table), or null.</param>
public sealed record RenderedPanel(ReportPanel Panel, ReportTable Table, IReadOnlyList<(ReportFigure Figure, byte[] Png)> Figures, string? Skipped = null);

/// <summary>The self-contained <c>report.html</c>: images inline as data URIs, no script, no external file, so it
/// opens from a file anywhere. Pure.</summary>
public static class HtmlReport
{
    /// <param name="run">One row: the run's provenance (models, sampling, seed), shown as name/value pairs.</param>
    /// <param name="specJson">The run spec as submitted.</param>
    /// <param name="grader">Grader description (assembly and version).</param>
    public static string Write(string title, ReportTable run, string specJson, string grader, IReadOnlyList<RenderedPanel> panels)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n")
         .Append("<h1>").Append(E(title)).Append("</h1>\n");

        h.Append("<nav><ul>\n<li><a href=\"#run\">Run</a></li>\n");
        foreach (var p in panels) h.Append("<li><a href=\"#").Append(E(p.Panel.Id)).Append("\">").Append(E(p.Panel.Title)).Append("</a></li>\n");
        h.Append("</ul></nav>\n");

        h.Append("<section id=\"run\">\n<h2>Run</h2>\n<table class=\"kv\">\n");
        if (run.Rows.Count > 0)
            for (var i = 0; i < run.Columns.Count; i++)
                h.Append("<tr><th>").Append(E(run.Columns[i])).Append("</th><td>").Append(E(ReportCsv.Format(run.Rows[0][i]))).Append("</td></tr>\n");
        h.Append("<tr><th>grader</th><td>").Append(E(grader)).Append("</td></tr>\n</table>\n")
         .Append("<h3>Run spec</h3>\n<pre>").Append(E(Pretty(specJson))).Append("</pre>\n</section>\n");

        foreach (var p in panels)
        {
            h.Append("<section id=\"").Append(E(p.Panel.Id)).Append("\">\n<h2>").Append(E(p.Panel.Title)).Append("</h2>\n<p>")
             .Append(E(p.Panel.About)).Append("</p>\n");
            foreach (var (figure, png) in p.Figures)
                h.Append("<figure><img alt=\"").Append(E(figure.Caption)).Append("\" width=\"").Append(Charts.Width).Append("\" height=\"").Append(Charts.Height)
                 .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\"><figcaption>")
                 .Append(E(figure.Caption)).Append(" (").Append(E(figure.Name)).Append(".png)</figcaption></figure>\n");
            AppendTable(h, p);
        }
        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    private static void AppendTable(StringBuilder h, RenderedPanel p)
    {
        var csv = E(p.Panel.Id) + ".csv";
        if (p.Skipped is { } why)
        {
            h.Append("<p class=\"empty\">Not drawn: ").Append(E(why)).Append(".</p>\n</section>\n");
            return;
        }
        if (p.Table.Rows.Count == 0)
        {
            h.Append("<p class=\"empty\">No rows yet in this view for this run (").Append(csv).Append(" has the header only).</p>\n</section>\n");
            return;
        }
        var shown = p.Panel.HtmlColumns?.Select(p.Table.Column).ToList() ?? Enumerable.Range(0, p.Table.Columns.Count).ToList();
        var limit = Math.Min(p.Panel.HtmlRowLimit, p.Table.Rows.Count);
        if (limit > 0)
        {
            h.Append("<table>\n<thead><tr>");
            foreach (var c in shown) h.Append("<th>").Append(E(p.Table.Columns[c])).Append("</th>");
            h.Append("</tr></thead>\n<tbody>\n");
            foreach (var row in p.Table.Rows.Take(limit))
            {
                h.Append("<tr>");
                foreach (var c in shown) h.Append(row[c] is double or float ? "<td class=\"n\">" : row[c] is int or long or decimal ? "<td class=\"n\">" : "<td>")
                    .Append(E(Cell(row[c]))).Append("</td>");
                h.Append("</tr>\n");
            }
            h.Append("</tbody>\n</table>\n");
        }
        h.Append("<p class=\"csv\">").Append(limit < p.Table.Rows.Count ? $"{limit} of {p.Table.Rows.Count} rows shown; all in " : "Also in ")
         .Append(csv).Append(".</p>\n</section>\n");
    }

    /// <summary>Fractions to 4 decimals in the page (the CSV keeps full precision).</summary>
    private static string Cell(object? v) => v is double d ? d.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : ReportCsv.Format(v);

    private static string Pretty(string json)
    {
        // one line per top-level key: readable without the page growing by a screen per strategy
        try
        {
            var root = JsonDocument.Parse(json).RootElement;
            if (root.ValueKind != JsonValueKind.Object) return json;
            return "{\n" + string.Join(",\n", root.EnumerateObject().Select(p => $"  {JsonSerializer.Serialize(p.Name)}: {p.Value.GetRawText()}")) + "\n}";
        }
        catch (JsonException) { return json; }
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private const string Css = """
        body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
        h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
        table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
        th, td { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        thead th { background: #f3f3f3; }
        table.kv th { background: #f3f3f3; }
        figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #555; }
        img { max-width: 100%; height: auto; border: 1px solid #eee; }
        pre { background: #f7f7f7; padding: 1em; font-size: 0.8em; white-space: pre-wrap; }
        p.csv, p.empty { font-size: 0.85em; color: #666; }
        nav ul { columns: 2; font-size: 0.9em; }

        """;
}
