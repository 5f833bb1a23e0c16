using Npgsql;

namespace Pipeline.Storage;

/// <summary>For <c>pipeline run resume --retry-failed</c>: the Aggregator leaves failed searches alone, so they are
/// put back to 'running' (their stored rounds kept) and the run reopened; a SearchRequested then makes the
/// Aggregator re-request the current round, as it does for a stalled search.</summary>
public static class FailedSearchRetry
{
    public static async Task<int> ReopenAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        int reopened;
        await using (var cmd = new NpgsqlCommand(
            "UPDATE pipeline.searches SET status = 'running', finished_at = NULL, round_requested_at = NULL WHERE run_id = @r AND status = 'failed'", c, tx))
        {
            cmd.Parameters.AddWithValue("r", runId);
            reopened = await cmd.ExecuteNonQueryAsync(ct);
        }
        if (reopened > 0)
        {
            await using var run = new NpgsqlCommand(
                "UPDATE pipeline.runs SET status = 'running', finished_at = NULL WHERE run_id = @r AND status = 'done'", c, tx);
            run.Parameters.AddWithValue("r", runId);
            await run.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return reopened;
    }
}
