using Npgsql;

namespace Pipeline.Storage;

/// <summary>The PostgreSQL errors the pipeline tells apart (codes from Npgsql's <see cref="PostgresErrorCodes"/>).</summary>
public static class PostgresErrors
{
    /// <summary>The database refuses the row for what it holds (a data exception of class 22, a check or
    /// not-null violation): the same row would be refused on every retry.</summary>
    public static bool IsContentRefusal(PostgresException e) =>
        e.SqlState.StartsWith(DataExceptionClass, StringComparison.Ordinal)
        || e.SqlState is PostgresErrorCodes.CheckViolation or PostgresErrorCodes.NotNullViolation;

    // Class 22 ("data exception"): the first two characters of every code in it.
    private const string DataExceptionClass = "22";
}
