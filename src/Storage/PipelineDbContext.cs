using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage;

/// <summary>
/// EF Core model of the pipeline's PostgreSQL schema <c>pipeline</c> (snake_case names). EF owns the
/// schema and the small reads/writes of the CLI; bulk rows (problems, steps) go through binary COPY
/// (<see cref="ProblemRowWriter"/>, <see cref="StepRowWriter"/>) and the Aggregator uses plain SQL.
/// Only <c>pipeline db migrate</c> applies migrations.
/// <para>Migrations are created from the repository root with (<c>dotnet tool install -g dotnet-ef --version 10.0.15</c>):
/// <code>dotnet ef migrations add &lt;Name&gt; --project src/Storage --startup-project src/Storage --output-dir Migrations</code>
/// (design time uses <see cref="DesignTimeDbContextFactory"/>, which reads <c>ConnectionStrings__Pipeline</c>).
/// Migration <c>Initial</c> is the squashed schema (tables, then the views and role from <see cref="SchemaSql"/>);
/// <c>Workers</c> adds table <c>workers</c> and its views.</para>
/// </summary>
public sealed class PipelineDbContext(DbContextOptions<PipelineDbContext> options) : DbContext(options)
{
    public const string Schema = "pipeline";

    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<Problem> Problems => Set<Problem>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<SearchRecord> Searches => Set<SearchRecord>();
    public DbSet<SearchRound> SearchRounds => Set<SearchRound>();
    public DbSet<Step> Steps => Set<Step>();
    public DbSet<Outcome> Outcomes => Set<Outcome>();
    public DbSet<Worker> Workers => Set<Worker>();

    /// <summary>Options for a context over <paramref name="dataSource"/>: snake_case names, history table in the pipeline schema.</summary>
    public static DbContextOptions<PipelineDbContext> CreateOptions(NpgsqlDataSource dataSource) =>
        Configure(new DbContextOptionsBuilder<PipelineDbContext>(), b => b.UseNpgsql(dataSource, ConfigureNpgsql)).Options;

    /// <summary>Same, from a connection string (design time, tests).</summary>
    public static DbContextOptions<PipelineDbContext> CreateOptions(string connectionString) =>
        Configure(new DbContextOptionsBuilder<PipelineDbContext>(), b => b.UseNpgsql(connectionString, ConfigureNpgsql)).Options;

    private static void ConfigureNpgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder o) =>
        o.MigrationsHistoryTable("__ef_migrations_history", Schema);

    private static DbContextOptionsBuilder<PipelineDbContext> Configure(
        DbContextOptionsBuilder<PipelineDbContext> builder, Action<DbContextOptionsBuilder<PipelineDbContext>> useNpgsql)
    {
        useNpgsql(builder);
        return builder.UseSnakeCaseNamingConvention();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PipelineDbContext).Assembly);
    }
}
