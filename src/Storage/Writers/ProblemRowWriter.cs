using Npgsql;
using NpgsqlTypes;

namespace Pipeline.Storage;

/// <summary>Binary COPY of a whole dataset's problems into <c>pipeline.problems</c> (a fresh dataset id,
/// so no conflicts are possible). Run it in the transaction that inserts the <c>datasets</c> row, so a
/// failure leaves nothing behind.</summary>
public static class ProblemRowWriter
{
    public static async Task<ulong> WriteAsync(
        NpgsqlConnection connection, int datasetId, IReadOnlyList<ProblemRow> rows, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY pipeline.problems (dataset_id, ordinal, unique_id, problem, solution, answer, subject, level) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var r in rows)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(datasetId, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(r.Ordinal, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(r.UniqueId, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.Problem, NpgsqlDbType.Text, ct);
            await StepRowWriter.WriteNullableAsync(copy, r.Solution, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.Answer, NpgsqlDbType.Text, ct);
            await StepRowWriter.WriteNullableAsync(copy, r.Subject, NpgsqlDbType.Text, ct);
            await StepRowWriter.WriteNullableAsync(copy, r.Level, NpgsqlDbType.Integer, ct);
        }
        return await copy.CompleteAsync(ct);
    }
}
