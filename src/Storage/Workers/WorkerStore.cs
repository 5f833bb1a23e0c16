using Npgsql;
using NpgsqlTypes;
using Pipeline.Contracts;

namespace Pipeline.Storage.Workers;

/// <summary>One worker and model as view <c>worker_status</c> shows it, with the batch it was running at its last
/// heartbeat (<paramref name="RoundsInFlight"/> 0 and <paramref name="BusySeconds"/> null when idle).</summary>
public sealed record WorkerStatusRow(
    string WorkerId, string Role, string Model, string ModelSlot, string Device,
    DateTime LastSeenAt, double SecondsSinceSeen, bool Alive, int RoundsInFlight = 0, double? BusySeconds = null);

/// <summary>Table <c>workers</c>: the Aggregator stores heartbeats, the CLI asks who serves a run's models. Whether a
/// worker is alive is decided in one place, view <c>worker_status</c> (last heartbeat within 3 x its interval).</summary>
public static class WorkerStore
{
    /// <summary>One row per model of the heartbeat; a heartbeat older than the stored one (redelivered, or overtaken
    /// by a newer one) changes nothing. busy_since goes to the database clock: now minus how long the worker had been
    /// busy when it sent the heartbeat (both ends of that span are the worker's clock), so the recovery sweep can set
    /// it against round_accepted_at whatever the worker's clock says.</summary>
    public static async Task UpsertAsync(NpgsqlDataSource db, WorkerHeartbeat h, CancellationToken ct)
    {
        if (h.Models.Count == 0) return;
        await using var batch = db.CreateBatch();
        foreach (var m in h.Models)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO pipeline.workers AS w (worker_id, model, role, model_slot, manifest_path, device, started_at, sent_at, last_seen_at, interval_seconds,
                                                   rounds_in_flight, busy_since)
                VALUES (@worker, @model, @role, @slot, @path, @device, @started, @sent, now(), @interval,
                        @rounds, now() - (@sent - @busy))
                ON CONFLICT (worker_id, model) DO UPDATE SET
                    role = excluded.role, model_slot = excluded.model_slot, manifest_path = excluded.manifest_path,
                    device = excluded.device, started_at = excluded.started_at, sent_at = excluded.sent_at,
                    last_seen_at = excluded.last_seen_at, interval_seconds = excluded.interval_seconds,
                    rounds_in_flight = excluded.rounds_in_flight, busy_since = excluded.busy_since
                WHERE w.sent_at <= excluded.sent_at
                """);
            cmd.Parameters.AddWithValue("worker", h.WorkerId);
            cmd.Parameters.AddWithValue("model", m.Name);
            cmd.Parameters.AddWithValue("role", h.Role);
            cmd.Parameters.AddWithValue("slot", m.Slot);
            cmd.Parameters.AddWithValue("path", m.ManifestPath);
            cmd.Parameters.AddWithValue("device", h.Device);
            cmd.Parameters.AddWithValue("started", DateTime.SpecifyKind(h.StartedAt, DateTimeKind.Utc));
            cmd.Parameters.AddWithValue("sent", DateTime.SpecifyKind(h.SentAt, DateTimeKind.Utc));
            cmd.Parameters.AddWithValue("interval", h.IntervalSeconds);
            cmd.Parameters.AddWithValue("rounds", h.RoundsInFlight);
            cmd.Parameters.Add(new NpgsqlParameter("busy", NpgsqlDbType.TimestampTz)
                { Value = h.BusySince is { } b ? DateTime.SpecifyKind(b, DateTimeKind.Utc) : DBNull.Value });
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every worker that announced one of <paramref name="models"/>, alive ones first, then the most recently seen.</summary>
    public static Task<IReadOnlyList<WorkerStatusRow>> ServingAsync(NpgsqlDataSource db, IReadOnlyCollection<string> models, CancellationToken ct) =>
        ReadAsync(db, "model = ANY(@models)", cmd => cmd.Parameters.AddWithValue("models", models.ToArray()), ct);

    /// <summary>Every alive worker, whatever it serves.</summary>
    public static Task<IReadOnlyList<WorkerStatusRow>> AliveAsync(NpgsqlDataSource db, CancellationToken ct) =>
        ReadAsync(db, "alive", _ => { }, ct);

    private static async Task<IReadOnlyList<WorkerStatusRow>> ReadAsync(NpgsqlDataSource db, string where, Action<NpgsqlCommand> bind, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT worker_id, role, model, model_slot, device, last_seen_at, seconds_since_seen, alive, rounds_in_flight, busy_seconds
            FROM pipeline.worker_status WHERE {where}
            ORDER BY alive DESC, last_seen_at DESC, worker_id, model
            """);
        bind(cmd);
        var rows = new List<WorkerStatusRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new WorkerStatusRow(r.Read<string>("worker_id"), r.Read<string>("role"), r.Read<string>("model"),
                r.Read<string>("model_slot"), r.Read<string>("device"), r.Read<DateTime>("last_seen_at"),
                r.Read<double>("seconds_since_seen"), r.Read<bool>("alive"), r.Read<int>("rounds_in_flight"), r.Read<double?>("busy_seconds")));
        return rows;
    }
}
