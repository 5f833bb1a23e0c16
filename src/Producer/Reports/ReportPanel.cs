using Pipeline.Storage.Queries;
using ScottPlot;

namespace Pipeline.Producer.Reports;

/// <summary>One section of <c>run report --out</c>: one SQL query over one view (parameter <c>@run_id</c>), written as
/// <c>{Id}.csv</c>, shown as an HTML table, and drawn by <see cref="Figures"/> (none for a table-only panel).
/// A new view becomes a new panel: one entry in <see cref="ReportPanels.All"/>.</summary>
public sealed record ReportPanel(string Id, string Title, string About, string Sql, Func<ReportTable, IReadOnlyList<ReportFigure>> Figures)
{
    /// <summary>Columns shown in the HTML table (all when null); the CSV always has every column.</summary>
    public IReadOnlyList<string>? HtmlColumns { get; init; }

    /// <summary>Most rows shown in the HTML table; the CSV has them all.</summary>
    public int HtmlRowLimit { get; init; } = 200;

    /// <summary>The query compares the run with a larger model's run (<c>@large_run_id</c>, <c>run report --large RUN</c>);
    /// without one the panel says so and reads nothing.</summary>
    public bool NeedsLargeRun { get; init; }

    public static IReadOnlyList<ReportFigure> NoFigures(ReportTable _) => [];
}

/// <summary>One PNG of a panel: <c>{Name}.png</c>.</summary>
public sealed record ReportFigure(string Name, string Caption, Plot Plot);
