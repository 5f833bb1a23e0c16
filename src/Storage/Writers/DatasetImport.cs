using Npgsql;

namespace Pipeline.Storage;

public enum DatasetImportOutcome
{
    /// <summary>A new dataset was written.</summary>
    Imported,
    /// <summary>A dataset of that name holds exactly these problems already; nothing was written.</summary>
    AlreadyPresent,
}

public sealed record DatasetImportResult(DatasetImportOutcome Outcome, int DatasetId, int ProblemCount);

/// <summary>Thrown when a dataset name is taken by different content.</summary>
public sealed class DatasetConflictException(string message) : Exception(message);

/// <summary>
/// Writes a validated dataset in one transaction (datasets row + binary COPY of the problems), so a
/// failure leaves nothing. Re-importing the same name is idempotent when the problems are identical
/// (same order, ids, statements, solutions, answers, subjects, levels) and refused otherwise: runs refer
/// to problems by id, so a dataset is never silently replaced.
/// </summary>
public static class DatasetImport
{
    public static async Task<DatasetImportResult> ImportAsync(
        NpgsqlDataSource dataSource, string name, string format, string sourceFile,
        IReadOnlyList<ProblemRow> problems, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // Serialises two concurrent imports of one name; the unique index would also catch it, less politely.
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('pipeline.datasets:' || @n))", connection, tx))
        {
            lockCmd.Parameters.AddWithValue("n", name);
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        var existing = await FindAsync(connection, tx, name, ct);
        if (existing is { } found)
        {
            var stored = await LoadProblemsAsync(connection, tx, found.Id, ct);
            if (stored.SequenceEqual(problems))
                return new DatasetImportResult(DatasetImportOutcome.AlreadyPresent, found.Id, stored.Count);
            throw new DatasetConflictException(
                $"dataset '{name}' already exists (format {found.Format}, {stored.Count} problems, from {found.Source}) with different content; " +
                "import under another --name");
        }

        int datasetId;
        await using (var insert = new NpgsqlCommand(
                         "INSERT INTO pipeline.datasets (name, format, source_file, problem_count, imported_at) " +
                         "VALUES (@name, @format, @source, @count, now()) RETURNING dataset_id", connection, tx))
        {
            insert.Parameters.AddWithValue("name", name);
            insert.Parameters.AddWithValue("format", format);
            insert.Parameters.AddWithValue("source", sourceFile);
            insert.Parameters.AddWithValue("count", problems.Count);
            datasetId = (int)(await insert.ExecuteScalarAsync(ct))!;
        }
        await ProblemRowWriter.WriteAsync(connection, datasetId, problems, ct);
        await tx.CommitAsync(ct);
        return new DatasetImportResult(DatasetImportOutcome.Imported, datasetId, problems.Count);
    }

    private static async Task<(int Id, string Format, string Source)?> FindAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT dataset_id, format, source_file FROM pipeline.datasets WHERE name = @n", connection, tx);
        cmd.Parameters.AddWithValue("n", name);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return (reader.Read<int>("dataset_id"), reader.Read<string>("format"), reader.Read<string>("source_file"));
    }

    private static async Task<List<ProblemRow>> LoadProblemsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, int datasetId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT ordinal, unique_id, problem, solution, answer, subject, level FROM pipeline.problems " +
            "WHERE dataset_id = @d ORDER BY ordinal", connection, tx);
        cmd.Parameters.AddWithValue("d", datasetId);
        var rows = new List<ProblemRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new ProblemRow(
                reader.Read<int>("ordinal"), reader.Read<string>("unique_id"), reader.Read<string>("problem"),
                reader.ReadNullableString("solution"), reader.Read<string>("answer"),
                reader.ReadNullableString("subject"), reader.ReadNullable<int>("level")));
        return rows;
    }
}
