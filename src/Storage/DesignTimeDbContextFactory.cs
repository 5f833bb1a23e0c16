using Microsoft.EntityFrameworkCore.Design;

namespace Pipeline.Storage;

/// <summary>Lets <c>dotnet ef</c> build the context without a host. Reads <c>ConnectionStrings__Pipeline</c>;
/// the fallback is the server <c>scripts/services.sh start</c> runs (adding a migration needs no connection at all).</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PipelineDbContext>
{
    public const string LocalDefault = "Host=127.0.0.1;Port=5433;Username=pipeline;Password=pipeline;Database=pipeline";

    public PipelineDbContext CreateDbContext(string[] args) =>
        new(PipelineDbContext.CreateOptions(Environment.GetEnvironmentVariable("ConnectionStrings__Pipeline") ?? LocalDefault));
}
