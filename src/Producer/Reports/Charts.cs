using System.Globalization;
using ScottPlot;

namespace Pipeline.Producer.Reports;

/// <summary>A named line of a chart: points (x, y) in drawing order.</summary>
public sealed record Series(string Label, IReadOnlyList<(double X, double Y)> Points);

/// <summary>The two chart shapes of the report, drawn with ScottPlot (rendered by SkiaSharp, no display needed).</summary>
public static class Charts
{
    public const int Width = 820, Height = 480;

    /// <summary>Lines with markers. With <paramref name="log2X"/> the x values are budgets drawn on a log2 axis,
    /// ticks at the budgets present.</summary>
    public static Plot Lines(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool log2X, (double Min, double Max)? yRange = null)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var xs = s.Points.Select(p => log2X ? Math.Log2(p.X) : p.X).ToArray();
            var ys = s.Points.Select(p => p.Y).ToArray();
            var line = plot.Add.Scatter(xs, ys, palette.GetColor(i));
            line.LegendText = s.Label;
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.MarkerShape = Markers[i % Markers.Length];
            if (i >= palette.Colors.Length) line.LinePattern = LinePattern.Dashed;
        }
        if (log2X)
        {
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            foreach (var x in series.SelectMany(s => s.Points).Select(p => p.X).Distinct().Order())
                ticks.AddMajor(Math.Log2(x), Log2Label(x));
            plot.Axes.Bottom.TickGenerator = ticks;
        }
        plot.Axes.AutoScale();
        if (yRange is { } r) plot.Axes.SetLimitsY(r.Min, r.Max);
        if (series.Count > 0) plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>Bars grouped along x (<paramref name="groups"/>), one bar per series in each group; a null value
    /// leaves a gap.</summary>
    public static Plot GroupedBars(string title, string xLabel, string yLabel, IReadOnlyList<string> groups,
        IReadOnlyList<(string Label, double?[] Values)> series, (double Min, double Max)? yRange = null)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        var slot = 1.0 / (series.Count + 1);
        for (var s = 0; s < series.Count; s++)
        {
            var color = palette.GetColor(s);
            var bars = new List<Bar>();
            for (var g = 0; g < groups.Count; g++)
            {
                if (series[s].Values[g] is not { } v) continue;
                bars.Add(new Bar { Position = g + (s - (series.Count - 1) / 2.0) * slot, Value = v, Size = slot * 0.95, FillColor = color, LineWidth = 0 });
            }
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Label, FillColor = color });
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var g = 0; g < groups.Count; g++) ticks.AddMajor(g, groups[g]);
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(-0.6, groups.Count - 0.4);
        if (yRange is { } r) plot.Axes.SetLimitsY(r.Min, r.Max);
        else plot.Axes.Margins(bottom: 0);
        // beside the plot: bars reach every height, so no corner inside is free
        if (series.Count > 0) plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Powers of two below 1 read better as fractions: 1/16, not 0.06.</summary>
    private static string Log2Label(double x) =>
        x < 1 && Math.Abs(1 / x - Math.Round(1 / x)) < 1e-9
            ? "1/" + Math.Round(1 / x).ToString(CultureInfo.InvariantCulture)
            : x.ToString("0.##", CultureInfo.InvariantCulture);

    private static readonly MarkerShape[] Markers =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle, MarkerShape.OpenSquare];

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        // Debian's fonts-dejavu-core: the same glyphs on every machine that runs the report
        plot.Font.Set("DejaVu Sans");
        plot.Title(title, size: 16);
        plot.XLabel(xLabel, size: 13);
        plot.YLabel(yLabel, size: 13);
        return plot;
    }
}
