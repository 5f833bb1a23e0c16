using Npgsql;

namespace Pipeline.Storage.Queries;

/// <summary>The rows of one report query as read: column names and values (null for SQL NULL), in query order.</summary>
public sealed record ReportTable(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
{
    public int Column(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (Columns[i] == name) return i;
        throw new ArgumentException($"report table has no column '{name}' (columns: {string.Join(", ", Columns)})", nameof(name));
    }

    /// <summary>Reads a SELECT whose parameters are the run id (<c>@run_id</c>) and, when given, a second run's
    /// (<c>@large_run_id</c>) into a table.</summary>
    public static async Task<ReportTable> ReadAsync(NpgsqlDataSource db, string sql, Guid runId, CancellationToken ct, Guid? largeRunId = null)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("run_id", runId);
        if (largeRunId is { } large) cmd.Parameters.AddWithValue("large_run_id", large);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var columns = Enumerable.Range(0, r.FieldCount).Select(r.GetName).ToList();
        var rows = new List<object?[]>();
        while (await r.ReadAsync(ct))
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return new ReportTable(columns, rows);
    }
}
