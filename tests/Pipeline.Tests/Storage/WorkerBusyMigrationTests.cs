using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Producer;

namespace Pipeline.Tests.Storage;

/// <summary>A database migrated before WorkerBusy (through Workers, with the old views and a stored heartbeat) gets the
/// in-flight columns and the new views from <c>pipeline db migrate</c>, keeping its rows.</summary>
public sealed class WorkerBusyMigrationTests(EmptyDatabase database) : IClassFixture<EmptyDatabase>
{
    [Fact]
    public async Task Db_migrate_brings_a_database_migrated_through_Workers_to_the_in_flight_columns_and_views()
    {
        await using (var db = database.NewContext())
            await db.GetService<IMigrator>().MigrateAsync("Workers");
        // the views as Workers created them then (it now leaves them to WorkerBusy, as their files read its columns)
        await Seed.ScalarAsync(database.DataSource, """
            CREATE VIEW pipeline.worker_status AS
            SELECT w.worker_id, w.role, w.model, w.model_slot, w.device, w.manifest_path, w.started_at, w.last_seen_at,
                   EXTRACT(EPOCH FROM now() - w.last_seen_at)::float8 AS seconds_since_seen, w.interval_seconds,
                   w.last_seen_at >= now() - make_interval(secs => 3 * w.interval_seconds) AS alive
            FROM pipeline.workers w;
            CREATE VIEW pipeline.workers_alive AS
            SELECT worker_id, role, model, model_slot, device, manifest_path, started_at, last_seen_at, seconds_since_seen
            FROM pipeline.worker_status WHERE alive;
            """);
        await Seed.ScalarAsync(database.DataSource, """
            INSERT INTO pipeline.workers (worker_id, model, role, model_slot, manifest_path, device, started_at, sent_at, last_seen_at, interval_seconds)
            VALUES ('h:1', 'pol', 'proposal', 'policy', '/m.json', 'cpu', now(), now(), now(), 15)
            """);
        Assert.Equal(1L, await Seed.ScalarAsync(database.DataSource, "SELECT count(*) FROM pipeline.workers_alive"));

        var r = await Cli.RunAsync(Cli.Config(database), "db", "migrate");
        Assert.Equal(0, r.ExitCode);
        // WorkerBusy first; later migrations follow it
        Assert.Equal("_WorkerBusy", r.Output.Split('\n').Where(l => l.StartsWith("applied ")).Select(l => l.Trim()[l.IndexOf('_')..]).FirstOrDefault());
        Assert.Equal("h:1|0||true", await TextAsync(
            "SELECT worker_id || '|' || rounds_in_flight || '|' || COALESCE(busy_seconds::text, '') || '|' || alive FROM pipeline.worker_status"));
        Assert.Equal(1L, await Seed.ScalarAsync(database.DataSource, "SELECT count(*) FROM pipeline.workers_alive WHERE rounds_in_flight = 0"));
        await using (var db = database.NewContext())
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    private async Task<string> TextAsync(string sql)
    {
        await using var cmd = database.DataSource.CreateCommand(sql);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
