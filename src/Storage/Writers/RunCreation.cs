using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage;

/// <summary>Creates a run and its searches in one transaction and returns the searches with their ids.
/// EF here, not COPY: thousands of rows at most, and the generated search ids are needed back.</summary>
public static class RunCreation
{
    public static async Task<IReadOnlyList<SearchRecord>> CreateAsync(
        NpgsqlDataSource dataSource, Run run, IReadOnlyList<SearchRecord> searches, CancellationToken ct)
    {
        await using var db = new PipelineDbContext(PipelineDbContext.CreateOptions(dataSource));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Runs.Add(run);
        foreach (var s in searches) s.RunId = run.RunId;
        db.Searches.AddRange(searches);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return searches;
    }
}
