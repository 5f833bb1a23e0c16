using Npgsql;
using Pipeline.Storage.Searches;

namespace Pipeline.Storage.Queries;

/// <summary>What holds a run up: running searches whose round was re-requested (lost) or sits in an _error queue,
/// and the reasons searches failed with, most frequent first.</summary>
public sealed record RunTrouble(long Stalled, long Faulted, IReadOnlyList<(string Reason, long Searches)> FailureReasons)
{
    public static readonly RunTrouble None = new(0, 0, []);
}

public static class RunTroubleQueries
{
    public static async Task<RunTrouble> GetAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT 0 AS kind, '' AS reason, count(*) FILTER (WHERE round_requests > 0 OR round_faulted_at IS NOT NULL) AS n,
                   count(*) FILTER (WHERE round_faulted_at IS NOT NULL) AS faulted
            FROM pipeline.searches WHERE run_id = @r AND status = @running
            UNION ALL
            SELECT 1, failure_reason, count(*), 0 FROM pipeline.searches
            WHERE run_id = @r AND failure_reason IS NOT NULL AND status = @failed GROUP BY failure_reason
            ORDER BY kind, n DESC, reason
            """);
        cmd.Parameters.AddWithValue("r", runId);
        cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
        cmd.Parameters.AddWithValue("failed", SearchStatus.Failed.Name());
        long stalled = 0, faulted = 0;
        var reasons = new List<(string, long)>();
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        while (await rd.ReadAsync(ct))
        {
            if (rd.Read<int>("kind") == 0) (stalled, faulted) = (rd.Read<long>("n"), rd.Read<long>("faulted"));
            else reasons.Add((rd.Read<string>("reason"), rd.Read<long>("n")));
        }
        return new RunTrouble(stalled, faulted, reasons);
    }
}
