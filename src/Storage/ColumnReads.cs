using Npgsql;

namespace Pipeline.Storage;

/// <summary>Reads a column by its name in the SELECT list (alias it when it is computed), so a query can gain or
/// reorder columns without shifting every read after it.</summary>
public static class ColumnReads
{
    public static T Read<T>(this NpgsqlDataReader r, string column) => r.GetFieldValue<T>(r.GetOrdinal(column));

    public static T? ReadNullable<T>(this NpgsqlDataReader r, string column) where T : struct
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetFieldValue<T>(i);
    }

    public static string? ReadNullableString(this NpgsqlDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }
}
