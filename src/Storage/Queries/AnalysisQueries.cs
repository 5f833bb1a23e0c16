using Npgsql;

namespace Pipeline.Storage.Queries;

/// <summary>What <c>difficulty_from</c> needs to know about the run it names.</summary>
public sealed record DifficultySource(Guid RunId, string Name, int DatasetId, string PolicyModel, long BestOfNSearches);

/// <summary>One row of <c>pipeline.flops_matched_comparison</c> (docs/schema.md).</summary>
public sealed record FlopsMatchedRow(
    double InferenceToPretraining, double ParameterRatio, double PretrainingTokenRatio, bool PretrainingTokensKnown,
    double Multiplier, string BinKind, int Bin, int LargeBudgetN, double LargeAccuracy,
    double SmallBudget, double SmallBudgetUsed, double? SmallAccuracy, bool SmallBudgetCapped,
    double? AccuracyDifference, string? Winner);

/// <summary>One row of <c>pipeline.efficiency_vs_best_of_n</c>.</summary>
public sealed record EfficiencyRow(
    string BinKind, int Bin, int BudgetN, string Unit, double ComputeOptimalAccuracy, double? ComputeOptimalBudget,
    double? BestOfNBudget, double? Ratio, string Match, string ChosenConfigs);

/// <summary>The reads behind the paper's analysis (<c>pipeline run compare</c>, the report): plain SQL over the
/// analysis views and functions, so psql gives the same numbers.</summary>
public static class AnalysisQueries
{
    public static async Task<DifficultySource> DifficultySourceAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT r.run_id, r.name, r.dataset_id, r.policy_model,
                   (SELECT count(*) FROM pipeline.searches s WHERE s.run_id = r.run_id AND s.strategy = 'best_of_n') AS best_of_n_searches
            FROM pipeline.runs r WHERE r.run_id = @id
            """);
        cmd.Parameters.AddWithValue("id", runId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new RunNotFoundException($"no run with id {runId}");
        return new DifficultySource(r.Read<Guid>("run_id"), r.Read<string>("name"), r.Read<int>("dataset_id"),
            r.Read<string>("policy_model"), r.Read<long>("best_of_n_searches"));
    }

    /// <summary><c>SELECT * FROM pipeline.flops_matched_comparison(small, large, ratios)</c>; the function's own
    /// errors (different datasets, large not larger) come back as <see cref="PostgresException"/>.</summary>
    public static async Task<IReadOnlyList<FlopsMatchedRow>> FlopsMatchedAsync(
        NpgsqlDataSource db, Guid smallRun, Guid largeRun, IReadOnlyList<double> ratios, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT * FROM pipeline.flops_matched_comparison(@small, @large, @ratios)");
        cmd.Parameters.AddWithValue("small", smallRun);
        cmd.Parameters.AddWithValue("large", largeRun);
        cmd.Parameters.AddWithValue("ratios", ratios.ToArray());
        var rows = new List<FlopsMatchedRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new FlopsMatchedRow(
                r.Read<double>("inference_to_pretraining"), r.Read<double>("parameter_ratio"),
                r.Read<double>("pretraining_token_ratio"), r.Read<bool>("pretraining_tokens_known"),
                r.Read<double>("multiplier"), r.Read<string>("bin_kind"), r.Read<int>("bin"),
                r.Read<int>("large_budget_n"), r.Read<double>("large_accuracy"),
                r.Read<double>("small_budget"), r.Read<double>("small_budget_used"), r.ReadNullable<double>("small_accuracy"),
                r.Read<bool>("small_budget_capped"), r.ReadNullable<double>("accuracy_difference"), r.ReadNullableString("winner")));
        return rows;
    }

    public static async Task<IReadOnlyList<EfficiencyRow>> EfficiencyAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT * FROM pipeline.efficiency_vs_best_of_n WHERE run_id = @id ORDER BY unit, bin_kind, bin, budget_n
            """);
        cmd.Parameters.AddWithValue("id", runId);
        var rows = new List<EfficiencyRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new EfficiencyRow(r.Read<string>("bin_kind"), r.Read<int>("bin"), r.Read<int>("budget_n"), r.Read<string>("unit"),
                r.Read<double>("compute_optimal_accuracy"), r.ReadNullable<double>("compute_optimal_budget"),
                r.ReadNullable<double>("best_of_n_budget"), r.ReadNullable<double>("ratio"), r.Read<string>("match"),
                r.Read<string>("chosen_configs")));
        return rows;
    }
}
