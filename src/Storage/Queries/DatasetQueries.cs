using Npgsql;

namespace Pipeline.Storage.Queries;

public sealed record DatasetInfo(int DatasetId, string Name, string Format, int ProblemCount);

/// <summary>A problem picked for a run.</summary>
public sealed record SelectedProblem(long ProblemId, int Ordinal, int? Level);

public static class DatasetQueries
{
    public static async Task<DatasetInfo?> FindAsync(NpgsqlDataSource db, string name, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT dataset_id, name, format, problem_count FROM pipeline.datasets WHERE name = @n");
        cmd.Parameters.AddWithValue("n", name);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadDataset(r) : null;
    }

    public static async Task<IReadOnlyList<DatasetInfo>> ListAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT dataset_id, name, format, problem_count FROM pipeline.datasets ORDER BY name");
        var list = new List<DatasetInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadDataset(r));
        return list;
    }

    /// <summary>Problems of a dataset in file order, optionally only some levels, the first
    /// <paramref name="perLevel"/> of each level, and at most <paramref name="limit"/> in all.</summary>
    public static async Task<IReadOnlyList<SelectedProblem>> SelectAsync(
        NpgsqlDataSource db, int datasetId, IReadOnlyList<int>? levels, int? perLevel, int? limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT problem_id, ordinal, level FROM (
                SELECT problem_id, ordinal, level,
                       row_number() OVER (PARTITION BY level ORDER BY ordinal) AS nth
                FROM pipeline.problems
                WHERE dataset_id = @d AND (@levels::int[] IS NULL OR level = ANY(@levels::int[]))) p
            WHERE @per_level::int IS NULL OR nth <= @per_level::int
            ORDER BY ordinal
            LIMIT @limit::int
            """);
        cmd.Parameters.AddWithValue("d", datasetId);
        cmd.Parameters.Add(new NpgsqlParameter<int[]?>("levels", levels?.ToArray()) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter<int?>("per_level", perLevel) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter<int?>("limit", limit) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        var list = new List<SelectedProblem>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new SelectedProblem(r.Read<long>("problem_id"), r.Read<int>("ordinal"), r.ReadNullable<int>("level")));
        return list;
    }

    private static DatasetInfo ReadDataset(NpgsqlDataReader r) =>
        new(r.Read<int>("dataset_id"), r.Read<string>("name"), r.Read<string>("format"), r.Read<int>("problem_count"));
}
