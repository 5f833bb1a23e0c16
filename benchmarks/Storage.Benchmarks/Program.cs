// Step-row write throughput: StepRowWriter (binary COPY into a temp table + INSERT ... ON CONFLICT DO NOTHING)
// against EF Core SaveChanges as the baseline, in one run on one scratch database, same batch size (one
// Aggregator message = one round of one search = one batch in its own transaction).
//   dotnet run -c Release --project benchmarks/Storage.Benchmarks -- [rows] [batch]
// Needs ConnectionStrings__Pipeline (eval "$(scripts/services.sh env)") with a user that may CREATE DATABASE.
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Storage;
using Pipeline.Storage.Entities;

var rows = args.Length > 0 ? int.Parse(args[0]) : 50_000;
var batch = args.Length > 1 ? int.Parse(args[1]) : 256;
var admin = Environment.GetEnvironmentVariable("ConnectionStrings__Pipeline") ?? DesignTimeDbContextFactory.LocalDefault;
var name = $"bench_{Guid.NewGuid():N}"[..20];
await Exec(admin, $"CREATE DATABASE \"{name}\"");
try
{
    var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    await using var db = NpgsqlDataSource.Create(cs);
    await using (var ctx = new PipelineDbContext(PipelineDbContext.CreateOptions(db))) await ctx.Database.MigrateAsync();
    var batches = (rows + batch - 1) / batch;
    var searches = await SeedSearchesAsync(db, 2 * batches);

    // the Aggregator's rows are the EF entity, written by COPY; the EF baseline saves the same objects
    List<Step> Batch(long search) => Enumerable.Range(0, batch).Select(i => new Step
    {
        SearchId = search, NodeId = i + 1, Depth = 1, SampleIndex = i, Text = new string('x', 100), PromptTokens = 40,
        GeneratedTokens = 25, PrmScore = 0.5f, FinishReason = FinishReason.Delimiter,
    }).ToList();

    // warm-up outside the timings (JIT, EF model, pool)
    await using (var c = await db.OpenConnectionAsync()) await StepRowWriter.WriteAsync(c, null, Batch(searches[0]), default);
    await Exec(cs, "TRUNCATE pipeline.steps");

    var ef = await TimeAsync(async () =>
    {
        for (var b = 0; b < batches; b++)
        {
            await using var ctx = new PipelineDbContext(PipelineDbContext.CreateOptions(db));
            ctx.Steps.AddRange(Batch(searches[b]));
            await ctx.SaveChangesAsync();
        }
    });
    var copy = await TimeAsync(async () =>
    {
        await using var c = await db.OpenConnectionAsync();
        for (var b = 0; b < batches; b++) await StepRowWriter.WriteAsync(c, null, Batch(searches[batches + b]), default);
    });
    var redelivered = 0;
    var again = await TimeAsync(async () =>
    {
        await using var c = await db.OpenConnectionAsync();
        for (var b = 0; b < batches; b++) redelivered += await StepRowWriter.WriteAsync(c, null, Batch(searches[batches + b]), default);
    });
    if (redelivered != 0) throw new InvalidOperationException($"redelivery inserted {redelivered} rows");

    var total = (double)batches * batch;
    Console.WriteLine($"{batches} batches x {batch} rows = {total:0} step rows per method, PostgreSQL {name}");
    Console.WriteLine($"EF Core SaveChanges (baseline)   {total / ef.TotalSeconds,10:0} rows/s");
    Console.WriteLine($"StepRowWriter (COPY + INSERT)     {total / copy.TotalSeconds,10:0} rows/s   {ef / copy,5:0.0}x baseline");
    Console.WriteLine($"StepRowWriter, redelivered batch  {total / again.TotalSeconds,10:0} rows/s   {ef / again,5:0.0}x baseline (all skipped)");
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await Exec(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
}

static async Task<TimeSpan> TimeAsync(Func<Task> work)
{
    var sw = Stopwatch.StartNew();
    await work();
    return sw.Elapsed;
}

static async Task Exec(string cs, string sql)
{
    await using var c = new NpgsqlConnection(cs);
    await c.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, c);
    await cmd.ExecuteNonQueryAsync();
}

static async Task<List<long>> SeedSearchesAsync(NpgsqlDataSource db, int count)
{
    await using var cmd = db.CreateCommand($$"""
        INSERT INTO pipeline.datasets (name, format, source_file, problem_count, imported_at) VALUES ('bench', 'math', 'bench', 1, now());
        INSERT INTO pipeline.problems (dataset_id, ordinal, unique_id, problem, answer) SELECT dataset_id, 0, 'b', 'p', '1' FROM pipeline.datasets;
        INSERT INTO pipeline.runs (run_id, name, dataset_id, spec_json, policy_model, prm_model, policy_model_path, prm_model_path, policy_parameters,
            prm_parameters, temperature, top_p, max_new_tokens, max_steps, seed, status, created_at)
        SELECT gen_random_uuid(), 'bench', dataset_id, '{}', 'p', 'r', 'p', 'r', 1, 1, 1, 1, 1, 1, 1, 'submitted', now() FROM pipeline.datasets;
        INSERT INTO pipeline.searches (run_id, problem_id, strategy, strategy_label, budget, beam_width_is_sqrt, lookahead, max_rounds, status)
        SELECT r.run_id, p.problem_id, 'best_of_n', 'best_of_n', g, false, 0, 1, 'pending'
        FROM pipeline.runs r, pipeline.problems p, generate_series(1, {{count}}) g
        RETURNING search_id;
        """);
    var ids = new List<long>();
    await using var reader = await cmd.ExecuteReaderAsync();
    do { while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0)); } while (await reader.NextResultAsync());
    return ids.Order().ToList();
}
