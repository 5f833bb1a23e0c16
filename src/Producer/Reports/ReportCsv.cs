using System.Globalization;
using System.Text;
using Pipeline.Storage.Queries;

namespace Pipeline.Producer.Reports;

/// <summary>RFC 4180 CSV of a report table: header row, invariant culture, ISO 8601 times, empty cell for NULL.</summary>
public static class ReportCsv
{
    public static string Write(ReportTable table)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', table.Columns.Select(Quote)).Append("\r\n");
        foreach (var row in table.Rows)
            sb.AppendJoin(',', row.Select(v => Quote(Format(v)))).Append("\r\n");
        return sb.ToString();
    }

    /// <summary>A value as text: numbers round-trip, times in UTC ISO 8601, booleans lower case.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
