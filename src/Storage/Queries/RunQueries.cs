using Npgsql;
using NpgsqlTypes;
using Pipeline.Storage.Searches;

namespace Pipeline.Storage.Queries;

/// <summary>A run with its progress counters (from the <c>run_progress</c> view).</summary>
public sealed record RunInfo(
    Guid RunId, string Name, string Dataset, RunStatus Status, DateTime CreatedAt, DateTime? FinishedAt,
    string PolicyModel, string PrmModel, string? RevisionModel,
    long Searches, long SearchesDone, long SearchesFailed, long SearchesRunning, long Steps, long GeneratedTokens,
    DateTime? FirstStartedAt, DateTime? LastFinishedAt)
{
    public long SearchesPending => Searches - SearchesDone - SearchesFailed - SearchesRunning;
    public bool Finished => Searches > 0 && SearchesDone + SearchesFailed == Searches;
}

/// <summary>Searches of one strategy config of a run, by status.</summary>
public sealed record StrategyProgress(string Label, long Searches, long Done, long Failed, long Running, long Steps);

/// <summary>One cell of the accuracy report; <see cref="Level"/> null with <see cref="AllLevels"/> = all levels together.</summary>
public sealed record AccuracyRow(
    string StrategyLabel, int BudgetN, string Aggregator, string StepAggregation, int? Level, bool AllLevels,
    int Problems, int Correct, double Accuracy, double MeanGeneratedTokens);

/// <summary>The best strategy config at one level and budget (view <c>compute_optimal_by_level</c>).</summary>
public sealed record ComputeOptimalRow(
    int? Level, int BudgetN, string StrategyLabel, string Aggregator, string StepAggregation,
    int Problems, int Correct, double Accuracy, double? BestOfNAccuracy);

/// <summary>Cross-validated compute-optimal accuracy at one difficulty bin and budget (view <c>compute_optimal_cv</c>).</summary>
public sealed record ComputeOptimalCvRow(int Bin, int BudgetN, int Problems, int Correct, double CvAccuracy, string ChosenConfigs, double? BestOfNAccuracy);

public sealed class RunNotFoundException(string message) : Exception(message);

/// <summary>The reads behind <c>pipeline run list|status|report|resume</c>: plain SQL over the views.</summary>
public static class RunQueries
{
    private const string RunInfoSelect = """
        SELECT r.run_id, r.name, d.name AS dataset, r.status, r.created_at, r.finished_at,
               r.policy_model, r.prm_model, r.revision_model,
               p.searches, p.searches_done, p.searches_failed, p.searches_running, p.steps, p.generated_tokens,
               p.first_started_at, p.last_finished_at
        FROM pipeline.runs r
        JOIN pipeline.datasets d ON d.dataset_id = r.dataset_id
        JOIN pipeline.run_progress p ON p.run_id = r.run_id
        """;

    public static async Task<IReadOnlyList<RunInfo>> ListAsync(NpgsqlDataSource db, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(RunInfoSelect + " ORDER BY r.created_at DESC LIMIT @limit");
        cmd.Parameters.AddWithValue("limit", limit);
        return await ReadRunsAsync(cmd, ct);
    }

    public static async Task<RunInfo> GetAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(RunInfoSelect + " WHERE r.run_id = @id");
        cmd.Parameters.AddWithValue("id", runId);
        var runs = await ReadRunsAsync(cmd, ct);
        return runs.Count == 1 ? runs[0] : throw new RunNotFoundException($"no run with id {runId}");
    }

    /// <summary>Finds a run by full id, id prefix (at least 4 hex digits) or name (the latest of that name);
    /// null or empty means the latest run.</summary>
    public static async Task<Guid> ResolveAsync(NpgsqlDataSource db, string? reference, CancellationToken ct)
    {
        if (Guid.TryParse(reference, out var id))
        {
            await using var exists = db.CreateCommand("SELECT 1 FROM pipeline.runs WHERE run_id = @id");
            exists.Parameters.AddWithValue("id", id);
            return await exists.ExecuteScalarAsync(ct) is not null ? id : throw new RunNotFoundException($"no run with id {id}");
        }
        await using var cmd = db.CreateCommand(string.IsNullOrWhiteSpace(reference)
            ? "SELECT run_id FROM pipeline.runs ORDER BY created_at DESC LIMIT 1"
            : """
              SELECT run_id FROM pipeline.runs
              WHERE (length(@ref) >= 4 AND run_id::text LIKE lower(@ref) || '%') OR name = @ref
              ORDER BY (name = @ref) DESC, created_at DESC
              """);
        if (!string.IsNullOrWhiteSpace(reference)) cmd.Parameters.AddWithValue("ref", reference);
        var matches = new List<Guid>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) matches.Add(reader.Read<Guid>("run_id"));
        if (matches.Count == 0)
            throw new RunNotFoundException(string.IsNullOrWhiteSpace(reference)
                ? "no runs yet: submit one with 'pipeline run submit SPEC'"
                : $"no run matches '{reference}' (give a run id, an id prefix or a run name; 'pipeline run list' shows them)");
        return matches[0];
    }

    public static async Task<IReadOnlyList<StrategyProgress>> StrategyProgressAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT s.strategy_label, count(*) AS searches,
                   count(*) FILTER (WHERE s.status = @done) AS done,
                   count(*) FILTER (WHERE s.status = @failed) AS failed,
                   count(*) FILTER (WHERE s.status = @running) AS running,
                   coalesce(sum(st.steps), 0)::bigint AS steps
            FROM pipeline.searches s
            LEFT JOIN (SELECT search_id, count(*) AS steps FROM pipeline.steps
                       WHERE search_id IN (SELECT search_id FROM pipeline.searches WHERE run_id = @id)
                       GROUP BY search_id) st ON st.search_id = s.search_id
            WHERE s.run_id = @id
            GROUP BY s.strategy_label
            ORDER BY min(s.search_id)
            """);
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("done", SearchStatus.Done.Name());
        cmd.Parameters.AddWithValue("failed", SearchStatus.Failed.Name());
        cmd.Parameters.AddWithValue("running", SearchStatus.Running.Name());
        var rows = new List<StrategyProgress>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new StrategyProgress(r.Read<string>("strategy_label"), r.Read<long>("searches"), r.Read<long>("done"),
                r.Read<long>("failed"), r.Read<long>("running"), r.Read<long>("steps")));
        return rows;
    }

    /// <summary>Steps of the run whose round was stored within the last <paramref name="window"/>.</summary>
    public static async Task<long> RecentStepsAsync(NpgsqlDataSource db, Guid runId, TimeSpan window, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT count(*) FROM pipeline.steps st
            JOIN pipeline.search_rounds sr ON sr.search_id = st.search_id AND sr.round = st.round
            JOIN pipeline.searches s ON s.search_id = st.search_id
            WHERE s.run_id = @id AND sr.completed_at > now() - @window
            """);
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("window", NpgsqlDbType.Interval, window);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Accuracy per strategy config, budget, aggregator and step aggregation: one row per level (or per
    /// difficulty bin, see <paramref name="bins"/>), plus one with <see cref="AccuracyRow.AllLevels"/> for all together.</summary>
    /// <param name="bins">"level" (dataset levels), "oracle" or "predicted" (quintiles of view problem_difficulty; the
    /// bin number is returned in <see cref="AccuracyRow.Level"/>).</param>
    public static async Task<IReadOnlyList<AccuracyRow>> AccuracyAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct, string bins = "level")
    {
        var perBin = bins switch
        {
            "level" => "SELECT strategy_label, budget_n, aggregator, step_aggregation, level AS bin, false AS all_levels, problems, correct, accuracy, mean_generated_tokens FROM pipeline.accuracy_by_budget WHERE run_id = @id",
            "oracle" or "predicted" => "SELECT strategy_label, budget_n, aggregator, step_aggregation, bin, false AS all_levels, problems, correct, accuracy, mean_generated_tokens FROM pipeline.accuracy_by_difficulty WHERE run_id = @id AND bin_kind = @bins",
            _ => throw new ArgumentOutOfRangeException(nameof(bins), bins, "level, oracle or predicted"),
        };
        await using var cmd = db.CreateCommand($"""
            {perBin}
            UNION ALL
            SELECT strategy_label, budget_n, aggregator, step_aggregation, NULL, true, problems, correct, accuracy, mean_generated_tokens
            FROM pipeline.accuracy_overall WHERE run_id = @id
            ORDER BY 1, 3, 4, 2, 6, 5
            """);
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("bins", bins);
        var rows = new List<AccuracyRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new AccuracyRow(r.Read<string>("strategy_label"), r.Read<int>("budget_n"), r.Read<string>("aggregator"),
                r.Read<string>("step_aggregation"), r.ReadNullable<int>("bin"), r.Read<bool>("all_levels"), r.Read<int>("problems"),
                r.Read<int>("correct"), r.Read<double>("accuracy"), r.ReadNullable<double>("mean_generated_tokens") ?? 0));
        return rows;
    }

    public static async Task<IReadOnlyList<ComputeOptimalRow>> ComputeOptimalAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT level, budget_n, strategy_label, aggregator, step_aggregation, problems, correct, accuracy, best_of_n_accuracy
            FROM pipeline.compute_optimal_by_level WHERE run_id = @id ORDER BY budget_n, level
            """);
        cmd.Parameters.AddWithValue("id", runId);
        var rows = new List<ComputeOptimalRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new ComputeOptimalRow(r.ReadNullable<int>("level"), r.Read<int>("budget_n"), r.Read<string>("strategy_label"),
                r.Read<string>("aggregator"), r.Read<string>("step_aggregation"), r.Read<int>("problems"), r.Read<int>("correct"),
                r.Read<double>("accuracy"), r.ReadNullable<double>("best_of_n_accuracy")));
        return rows;
    }

    /// <param name="bins">"oracle" or "predicted".</param>
    public static async Task<IReadOnlyList<ComputeOptimalCvRow>> ComputeOptimalCvAsync(NpgsqlDataSource db, Guid runId, string bins, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT bin, budget_n, problems, correct, cv_accuracy, chosen_configs, best_of_n_accuracy
            FROM pipeline.compute_optimal_cv WHERE run_id = @id AND bin_kind = @bins ORDER BY budget_n, bin
            """);
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("bins", bins);
        var rows = new List<ComputeOptimalCvRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new ComputeOptimalCvRow(r.Read<int>("bin"), r.Read<int>("budget_n"), r.Read<int>("problems"), r.Read<int>("correct"),
                r.Read<double>("cv_accuracy"), r.Read<string>("chosen_configs"), r.ReadNullable<double>("best_of_n_accuracy")));
        return rows;
    }

    /// <summary>Ids of the run's searches that are not done, in id order.</summary>
    public static async Task<IReadOnlyList<long>> UnfinishedSearchIdsAsync(NpgsqlDataSource db, Guid runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT search_id FROM pipeline.searches WHERE run_id = @id AND status <> @done ORDER BY search_id");
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("done", SearchStatus.Done.Name());
        var ids = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.Read<long>("search_id"));
        return ids;
    }

    private static async Task<IReadOnlyList<RunInfo>> ReadRunsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var runs = new List<RunInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            runs.Add(new RunInfo(
                r.Read<Guid>("run_id"), r.Read<string>("name"), r.Read<string>("dataset"), StatusNames.ParseRunStatus(r.Read<string>("status")),
                r.Read<DateTime>("created_at"), r.ReadNullable<DateTime>("finished_at"),
                r.Read<string>("policy_model"), r.Read<string>("prm_model"), r.ReadNullableString("revision_model"),
                r.Read<long>("searches"), r.Read<long>("searches_done"), r.Read<long>("searches_failed"), r.Read<long>("searches_running"),
                r.Read<long>("steps"),
                // sum() of bigint is numeric
                r.ReadNullable<decimal>("generated_tokens") is { } g ? (long)g : 0,
                r.ReadNullable<DateTime>("first_started_at"), r.ReadNullable<DateTime>("last_finished_at")));
        return runs;
    }
}
