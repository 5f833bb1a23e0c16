using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Storage;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// Class fixture: a database of its own (CREATE DATABASE test_...) on the test PostgreSQL, with every migration
/// applied, dropped when the class is done. Tests of different classes never see each other's rows and may run
/// in parallel. Use as <c>IClassFixture&lt;FreshDatabase&gt;</c>.
/// </summary>
public class FreshDatabase : IAsyncLifetime
{
    public string Name { get; } = $"test_{DateTime.UtcNow:MMddHHmmss}_{Guid.NewGuid():N}"[..32];
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public ServerEndpoints Servers { get; private set; } = null!;

    /// <summary>False leaves the database empty (for the migration tests themselves).</summary>
    protected virtual bool ApplyMigrations => true;

    public async Task InitializeAsync()
    {
        Servers = await TestServers.GetAsync();
        await using (var admin = new NpgsqlConnection(Servers.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(Servers.PostgresAdmin) { Database = Name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        if (ApplyMigrations)
        {
            await using var db = NewContext();
            await db.Database.MigrateAsync();
        }
    }

    public PipelineDbContext NewContext() => new(PipelineDbContext.CreateOptions(DataSource));

    public async Task DisposeAsync()
    {
        // InitializeAsync failed (no server): its error is the one to read, not a second one from here
        if (DataSource is null) return;
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Servers.PostgresAdmin);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>A fresh database with no schema at all.</summary>
public sealed class EmptyDatabase : FreshDatabase
{
    protected override bool ApplyMigrations => false;
}
