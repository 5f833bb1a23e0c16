using Pipeline.Contracts;
using Pipeline.Storage.Workers;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Storage;

/// <summary>Table workers and view worker_status on a real database: one row per worker and model, a late older
/// heartbeat changes nothing, and a worker is alive only within 3 x its interval of its last heartbeat.</summary>
public sealed class WorkerStoreTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    private static WorkerHeartbeat Beat(string worker, DateTime sent, double interval, string device = "cuda:0") =>
        new(worker, WorkerRoles.Proposal,
            [new ServedModel("pol", WorkerRoles.PolicySlot, "/m/pol.manifest.json"), new ServedModel("rev", WorkerRoles.RevisionSlot, "/m/rev.manifest.json")],
            device, sent.AddMinutes(-5), sent, interval);

    [Fact]
    public async Task Heartbeats_upsert_one_row_per_model_and_liveness_follows_three_intervals()
    {
        var now = DateTime.UtcNow;
        await WorkerStore.UpsertAsync(database.DataSource, Beat("h:1", now, 10), default);
        await WorkerStore.UpsertAsync(database.DataSource, Beat("h:1", now.AddSeconds(-30), 10, "cpu"), default);   // late and older
        await WorkerStore.UpsertAsync(database.DataSource, Beat("h:2", now, 10), default);

        var rows = await WorkerStore.ServingAsync(database.DataSource, ["pol", "rev", "other"], default);
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.True(r.Alive));
        Assert.All(rows, r => Assert.Equal("cuda:0", r.Device));
        Assert.Equal(["pol", "pol", "rev", "rev"], rows.Select(r => r.Model).Order());

        // h:2 last heard of 29 s ago (inside 3 x 10 s), h:1 31 s ago (outside)
        await Seed.ScalarAsync(database.DataSource, "UPDATE pipeline.workers SET last_seen_at = now() - interval '29 seconds' WHERE worker_id = 'h:2'");
        await Seed.ScalarAsync(database.DataSource, "UPDATE pipeline.workers SET last_seen_at = now() - interval '31 seconds' WHERE worker_id = 'h:1'");
        rows = await WorkerStore.ServingAsync(database.DataSource, ["pol"], default);
        Assert.Equal([("h:2", true), ("h:1", false)], rows.Select(r => (r.WorkerId, r.Alive)));
        Assert.InRange(rows[1].SecondsSinceSeen, 31, 60);
        Assert.Equal(2L, await Seed.ScalarAsync(database.DataSource, "SELECT count(*)::int FROM pipeline.workers_alive"));

        // a clean stop sends interval 0: dead at once
        await WorkerStore.UpsertAsync(database.DataSource, Beat("h:2", DateTime.UtcNow, 0), default);
        Assert.Equal(0L, await Seed.ScalarAsync(database.DataSource, "SELECT count(*)::int FROM pipeline.workers_alive"));
    }

    [Fact]
    public async Task The_batch_in_flight_is_stored_on_the_database_clock_whatever_the_workers_clock_says()
    {
        // the worker's clock is 2 hours behind; its batch of 12 rounds started 40 s before it sent the heartbeat
        var sent = DateTime.UtcNow.AddHours(-2);
        var busy = Beat("h:busy", sent, 10) with { RoundsInFlight = 12, BusySince = sent.AddSeconds(-40) };
        await WorkerStore.UpsertAsync(database.DataSource, busy, default);
        var rows = await WorkerStore.ServingAsync(database.DataSource, ["pol"], default);
        var row = Assert.Single(rows, r => r.WorkerId == "h:busy");
        Assert.Equal(12, row.RoundsInFlight);
        Assert.InRange(row.BusySeconds!.Value, 40, 45);

        // the batch ended: the next heartbeat says idle
        await WorkerStore.UpsertAsync(database.DataSource, Beat("h:busy", sent.AddSeconds(10), 10), default);
        row = Assert.Single(await WorkerStore.ServingAsync(database.DataSource, ["pol"], default), r => r.WorkerId == "h:busy");
        Assert.Equal((0, (double?)null), (row.RoundsInFlight, row.BusySeconds));
        await Seed.ScalarAsync(database.DataSource, "DELETE FROM pipeline.workers WHERE worker_id = 'h:busy'");
    }
}
