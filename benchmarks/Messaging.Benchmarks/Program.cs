// Batch consumers, measured: the same run through the three services (hosted in this process, real tiny ONNX
// models, real RabbitMQ + PostgreSQL), once with one round per engine batch (baseline: Proposal/Verifier
// BatchSize=1) and once batched (default BatchSize=16), each on a fresh database and virtual host.
//   eval "$(scripts/services.sh env)"
//   dotnet run -c Release --project benchmarks/Messaging.Benchmarks -- [problems] [batch]
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.ServiceDefaults;
using Pipeline.Storage;
using Spectre.Console;

var problems = args.Length > 0 ? int.Parse(args[0]) : 16;
var batch = args.Length > 1 ? int.Parse(args[1]) : 16;
string Env(string n, string d) => Environment.GetEnvironmentVariable(n) is { Length: > 0 } v ? v : d;
var admin = Env("ConnectionStrings__Pipeline", DesignTimeDbContextFactory.LocalDefault);
var root = FindRoot();
var work = Directory.CreateTempSubdirectory("messaging-bench-").FullName;
var dataset = Path.Combine(work, "bench.jsonl");
File.WriteAllLines(dataset, Enumerable.Range(0, problems).Select(i => JsonSerializer.Serialize(new
{
    problem = $"Compute ${12 + i}+{7 * i % 50}$.", solution = "", answer = (12 + i + 7 * i % 50).ToString(),
    subject = "Arithmetic", level = 1, unique_id = $"bench/{i}",
})));
string Model(string f) => Path.Combine(root, "models", "tiny-arith", f);
var spec = Path.Combine(work, "bench.yaml");
File.WriteAllText(spec, $$"""
    name: messaging-bench
    dataset: bench
    models: { policy: {{Model("policy.manifest.json")}}, prm: {{Model("prm.manifest.json")}} }
    sampling: { temperature: 1.0, top_p: 1.0, max_new_tokens: 48, max_steps: 8 }
    seed: 11
    strategies:
      - { kind: best_of_n, budgets: [8] }
      - { kind: beam, beam_width: 2, budgets: [4], max_rounds: 6 }
    """);

var baseline = await RunAsync(1);
var batched = await RunAsync(batch);
Console.WriteLine($"{problems} problems x (best_of_n N=8, beam(M=2) N=4), tiny-arith models, CPU, Environment.ProcessorCount={Environment.ProcessorCount}");
Console.WriteLine($"BatchSize=1 (baseline)  {baseline.Seconds,6:F1} s  {baseline.Rounds / baseline.Seconds,6:F1} rounds/s  {baseline.Tokens / baseline.Seconds,8:F0} tokens/s  ({baseline.Rounds} rounds, {baseline.Tokens} tokens)");
Console.WriteLine($"BatchSize={batch,-2} (batched)  {batched.Seconds,6:F1} s  {batched.Rounds / batched.Seconds,6:F1} rounds/s  {batched.Tokens / batched.Seconds,8:F0} tokens/s  ({batched.Rounds} rounds, {batched.Tokens} tokens)   {baseline.Seconds / batched.Seconds:F2}x baseline");
// batching must change the speed only: same seeds, same samples, same scores
Console.WriteLine($"identical step rows (text, PRM score) in both runs: {baseline.Digest == batched.Digest}");
Directory.Delete(work, true);
return 0;

async Task<(double Seconds, long Rounds, long Tokens, string Digest)> RunAsync(int batchSize)
{
    var suffix = Guid.NewGuid().ToString("N")[..10];
    var dbName = "bench_msg_" + suffix;
    var vhost = "bench-msg-" + suffix;
    await ExecAsync(admin, $"CREATE DATABASE \"{dbName}\"");
    var cs = new NpgsqlConnectionStringBuilder(admin) { Database = dbName }.ConnectionString;
    using var http = Management();
    (await http.PutAsync($"api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
    (await http.PutAsJsonAsync($"api/permissions/{vhost}/{Env("RabbitMq__Username", "guest")}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    var config = new Dictionary<string, string?>
    {
        ["RabbitMq:VirtualHost"] = vhost, ["RabbitMq:WaitUntilStarted"] = "true", ["ConnectionStrings:Pipeline"] = cs,
        ["Models:Policy"] = Model("policy.manifest.json"), ["Models:Prm"] = Model("prm.manifest.json"),
        ["Proposal:BatchSize"] = batchSize.ToString(), ["Verifier:BatchSize"] = batchSize.ToString(),
        ["Inference:IntraOpThreads"] = "1", ["Heartbeat:IntervalSeconds"] = "0", ["Logging:LogLevel:Default"] = "Warning",
    };
    var hosts = new List<IHost>();
    try
    {
        await using (var db = NpgsqlDataSource.Create(cs))
        await using (var ctx = new PipelineDbContext(PipelineDbContext.CreateOptions(db)))
            await ctx.Database.MigrateAsync();
        await CliAsync(config, "dataset", "import", dataset, "--format", "math", "--name", "bench");
        hosts.Add(Build(config, b => Pipeline.Aggregator.Extensions.AddApplicationServices(b)));
        hosts.Add(Build(config, b => Pipeline.ProposalWorker.Extensions.AddApplicationServices(b)));
        hosts.Add(Build(config, b => Pipeline.VerifierWorker.Extensions.AddApplicationServices(b)));
        foreach (var h in hosts) await h.StartAsync();

        var clock = Stopwatch.StartNew();
        await CliAsync(config, "run", "submit", spec, "--quiet");
        await using var data = NpgsqlDataSource.Create(cs);
        while (true)
        {
            await using var cmd = data.CreateCommand("SELECT count(*) FILTER (WHERE status <> 'done') FROM pipeline.runs");
            if ((long)(await cmd.ExecuteScalarAsync())! == 0) break;
            if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("run not done after 10 minutes");
            await Task.Delay(100);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await using var totals = data.CreateCommand(
            "SELECT (SELECT count(*) FROM pipeline.search_rounds), (SELECT coalesce(sum(generated_tokens), 0) FROM pipeline.search_rounds), " +
            "(SELECT md5(string_agg(search_id || ':' || node_id || ':' || text || ':' || prm_score, ';' ORDER BY search_id, node_id)) FROM pipeline.steps)");
        await using var r = await totals.ExecuteReaderAsync();
        await r.ReadAsync();
        return (seconds, r.GetInt64(0), r.GetInt64(1), r.GetString(2));
    }
    finally
    {
        foreach (var h in Enumerable.Reverse(hosts)) { await h.StopAsync(); h.Dispose(); }
        await http.DeleteAsync($"api/vhosts/{vhost}");
        NpgsqlConnection.ClearAllPools();
        await ExecAsync(admin, $"DROP DATABASE IF EXISTS \"{dbName}\" WITH (FORCE)");
    }
}

static IHost Build(IDictionary<string, string?> config, Action<IHostApplicationBuilder> add)
{
    var b = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
    b.Configuration.AddInMemoryCollection(config);
    b.AddServiceDefaults();
    add(b);
    return b.Build();
}

static async Task CliAsync(IDictionary<string, string?> config, params string[] args)
{
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(config).Build();
    var output = new StringWriter();
    var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No });
    var rc = await Pipeline.Producer.PipelineApp.Create(Pipeline.Producer.Extensions.AddProducerServices(new ServiceCollection(), configuration), console).RunAsync(args);
    if (rc != 0) throw new InvalidOperationException($"pipeline {string.Join(' ', args)} exited {rc}: {output}");
}

static async Task ExecAsync(string cs, string sql)
{
    await using var c = new NpgsqlConnection(cs);
    await c.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, c);
    await cmd.ExecuteNonQueryAsync();
}

HttpClient Management()
{
    var h = new HttpClient { BaseAddress = new Uri($"http://{Env("RabbitMq__Host", "127.0.0.1")}:{Env("RabbitMq__ManagementPort", "15672")}/") };
    h.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Env("RabbitMq__Username", "guest")}:{Env("RabbitMq__Password", "guest")}")));
    return h;
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Pipeline.sln"))) return d.FullName;
    throw new InvalidOperationException("run from inside the repository (no Pipeline.sln found above the binary)");
}
