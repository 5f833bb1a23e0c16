using Npgsql;
using NpgsqlTypes;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage;

/// <summary>
/// Bulk writer for <c>pipeline.steps</c>: binary COPY into a session temp table, then
/// <c>INSERT ... SELECT ... ON CONFLICT DO NOTHING</c>. COPY alone cannot skip duplicates, and a
/// redelivered round must change nothing, so the conflict handling happens in the INSERT.
/// Call it inside the transaction that also inserts the round's <c>search_rounds</c> row.
/// </summary>
public static class StepRowWriter
{
    private const string Columns =
        "search_id, node_id, parent_node_id, depth, round, request_index, sample_index, step_index, text, " +
        "prompt_tokens, generated_tokens, lookahead_tokens, prm_score, lookahead_score, terminal, " +
        "finish_reason, extracted_answer, is_correct";

    // ON COMMIT DELETE ROWS: staged rows never outlive the transaction, even if the INSERT fails.
    private const string Stage =
        "CREATE TEMP TABLE IF NOT EXISTS steps_incoming (LIKE pipeline.steps) ON COMMIT DELETE ROWS; " +
        "TRUNCATE steps_incoming;";

    private const string Merge =
        $"INSERT INTO pipeline.steps ({Columns}) SELECT {Columns} FROM steps_incoming ON CONFLICT DO NOTHING";

    /// <summary>Writes <paramref name="rows"/>; returns how many were new (rows already stored are skipped).</summary>
    /// <param name="transaction">The caller's transaction; when null, one is opened and committed here.</param>
    public static async Task<int> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<Step> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return 0;
        var own = transaction is null ? await connection.BeginTransactionAsync(ct) : null;
        try
        {
            await using (var stage = new NpgsqlCommand(Stage, connection, transaction ?? own))
                await stage.ExecuteNonQueryAsync(ct);

            await using (var copy = await connection.BeginBinaryImportAsync(
                             $"COPY steps_incoming ({Columns}) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var r in rows)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(r.SearchId, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(r.NodeId, NpgsqlDbType.Bigint, ct);
                    await WriteNullableAsync(copy, r.ParentNodeId, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(r.Depth, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(r.Round, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(r.RequestIndex, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(r.SampleIndex, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(r.StepIndex, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(r.Text, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(r.PromptTokens, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(r.GeneratedTokens, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(r.LookaheadTokens, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(r.PrmScore, NpgsqlDbType.Real, ct);
                    await WriteNullableAsync(copy, r.LookaheadScore, NpgsqlDbType.Real, ct);
                    await copy.WriteAsync(r.Terminal, NpgsqlDbType.Boolean, ct);
                    await WriteNullableAsync(copy, r.FinishReason?.Name(), NpgsqlDbType.Text, ct);
                    await WriteNullableAsync(copy, r.ExtractedAnswer, NpgsqlDbType.Text, ct);
                    await WriteNullableAsync(copy, r.IsCorrect, NpgsqlDbType.Boolean, ct);
                }
                await copy.CompleteAsync(ct);
            }

            int inserted;
            await using (var merge = new NpgsqlCommand(Merge, connection, transaction ?? own))
                inserted = await merge.ExecuteNonQueryAsync(ct);

            if (own is not null) await own.CommitAsync(ct);
            return inserted;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    internal static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : struct =>
        value is { } v ? copy.WriteAsync(v, type, ct) : copy.WriteNullAsync(ct);

    internal static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);
}
