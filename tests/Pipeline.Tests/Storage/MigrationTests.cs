using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Storage;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Storage;

public sealed class MigrationTests(EmptyDatabase database) : IClassFixture<EmptyDatabase>
{
    /// <summary>The schema the Aggregator's SQL is written against (docs/schema.md): table -> column -> (type, nullable).</summary>
    private static readonly Dictionary<string, (string Column, string Type, bool Nullable)[]> Expected = new()
    {
        ["datasets"] = [("dataset_id", "integer", false), ("name", "text", false), ("format", "text", false), ("source_file", "text", false),
            ("problem_count", "integer", false), ("imported_at", "timestamp with time zone", false)],
        ["problems"] = [("problem_id", "bigint", false), ("dataset_id", "integer", false), ("ordinal", "integer", false), ("unique_id", "text", false),
            ("problem", "text", false), ("solution", "text", true), ("answer", "text", false), ("subject", "text", true), ("level", "integer", true)],
        ["runs"] = [("run_id", "uuid", false), ("name", "text", false), ("dataset_id", "integer", false), ("spec_json", "jsonb", false),
            ("policy_model", "text", false), ("prm_model", "text", false), ("revision_model", "text", true), ("policy_model_path", "text", false),
            ("prm_model_path", "text", false), ("revision_model_path", "text", true), ("policy_parameters", "bigint", false), ("prm_parameters", "bigint", false), ("revision_parameters", "bigint", true),
            ("policy_pretraining_tokens", "bigint", true), ("difficulty_run_id", "uuid", true),
            ("temperature", "real", false), ("top_p", "real", false), ("max_new_tokens", "integer", false), ("max_steps", "integer", false),
            ("seed", "bigint", false), ("status", "text", false), ("created_at", "timestamp with time zone", false), ("finished_at", "timestamp with time zone", true)],
        ["searches"] = [("search_id", "bigint", false), ("run_id", "uuid", false), ("problem_id", "bigint", false), ("strategy", "text", false),
            ("strategy_label", "text", false), ("budget", "integer", false), ("beam_width", "integer", true), ("beam_width_is_sqrt", "boolean", false),
            ("lookahead", "integer", false), ("chain_length", "integer", true), ("max_rounds", "integer", false), ("status", "text", false),
            ("current_round", "integer", false), ("round_requested_at", "timestamp with time zone", true),
            ("round_accepted_at", "timestamp with time zone", true), ("round_requests", "integer", false),
            ("last_round_request_at", "timestamp with time zone", true), ("round_faulted_at", "timestamp with time zone", true),
            ("failure_reason", "text", true), ("started_at", "timestamp with time zone", true),
            ("finished_at", "timestamp with time zone", true), ("filter_duplicates", "boolean", false)],
        ["search_rounds"] = [("search_id", "bigint", false), ("round", "integer", false), ("completed_at", "timestamp with time zone", false),
            ("candidates", "integer", false), ("generated_tokens", "bigint", false)],
        ["steps"] = [("search_id", "bigint", false), ("node_id", "bigint", false), ("parent_node_id", "bigint", true), ("depth", "integer", false),
            ("round", "integer", false), ("request_index", "integer", false), ("sample_index", "integer", false), ("step_index", "integer", false),
            ("text", "text", false), ("prompt_tokens", "integer", false), ("generated_tokens", "integer", false), ("lookahead_tokens", "integer", false),
            ("prm_score", "real", false), ("lookahead_score", "real", true), ("terminal", "boolean", false), ("finish_reason", "text", true),
            ("extracted_answer", "text", true), ("is_correct", "boolean", true)],
        ["outcomes"] = [("search_id", "bigint", false), ("budget_n", "integer", false), ("aggregator", "text", false), ("step_aggregation", "text", false),
            ("chosen_answer", "text", true), ("is_correct", "boolean", false), ("generated_tokens", "bigint", false), ("prompt_tokens", "bigint", false),
            ("flops", "double precision", false)],
        ["workers"] = [("worker_id", "text", false), ("model", "text", false), ("role", "text", false), ("model_slot", "text", false),
            ("manifest_path", "text", false), ("device", "text", false), ("started_at", "timestamp with time zone", false),
            ("sent_at", "timestamp with time zone", false), ("last_seen_at", "timestamp with time zone", false),
            ("interval_seconds", "double precision", false), ("rounds_in_flight", "integer", false),
            ("busy_since", "timestamp with time zone", true)],
    };

    private static readonly string[] Views = ["accuracy_by_budget", "accuracy_overall", "outcomes_per_problem", "run_progress", "compute_optimal_by_level", "problem_difficulty", "accuracy_by_difficulty", "compute_optimal_cv",
        "efficiency_vs_best_of_n", "accuracy_by_revision_ratio", "revision_ratio_optimal", "worker_status", "workers_alive"];

    [Fact]
    public void Every_view_file_is_embedded_and_created_by_the_migration()
    {
        // a file added under src/Storage/Views but not listed in SchemaSql.Views would never be created
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Root, "src", "Storage", "Views"), "*.sql").Select(Path.GetFileNameWithoutExtension);
        Assert.Equal(files.Order(), SchemaSql.Views.Order());
        Assert.Equal(Views.Order(), SchemaSql.Views.Order());
        foreach (var view in SchemaSql.Views)
            Assert.Contains($"CREATE VIEW pipeline.{view} AS", SchemaSql.View(view));
        var functions = Directory.GetFiles(Path.Combine(RepoPaths.Root, "src", "Storage", "Functions"), "*.sql").Select(Path.GetFileNameWithoutExtension);
        Assert.Equal(functions.Order(), SchemaSql.Functions.Select(f => f.Name).Order());
        foreach (var (function, _) in SchemaSql.Functions)
            Assert.Contains($"CREATE FUNCTION pipeline.{function}(", SchemaSql.Function(function));
    }

    [Fact]
    public async Task Migrations_on_an_empty_database_create_the_documented_schema_views_comments_and_analyst_role()
    {
        await using (var db = database.NewContext())
        {
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync());
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            // a model change without 'dotnet ef migrations add' would show here
            Assert.False(db.Database.HasPendingModelChanges(), "the EF model differs from the migrations: add a migration");
        }

        var columns = new Dictionary<string, List<(string Column, string Type, bool Nullable)>>();
        await using (var cmd = database.DataSource.CreateCommand(
            "SELECT table_name, column_name, data_type, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = 'pipeline' ORDER BY table_name, ordinal_position"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                if (!columns.TryGetValue(r.GetString(0), out var list)) columns[r.GetString(0)] = list = [];
                list.Add((r.GetString(1), r.GetString(2), r.GetBoolean(3)));
            }
        foreach (var (table, expected) in Expected)
        {
            Assert.True(columns.ContainsKey(table), $"table pipeline.{table} is missing");
            Assert.Equal(expected.OrderBy(c => c.Column), columns[table].OrderBy(c => c.Column));
        }
        foreach (var view in Views) Assert.True(columns.ContainsKey(view), $"view pipeline.{view} is missing");

        // every table, view and column has a comment for analysts
        var uncommented = new List<string>();
        await using (var cmd = database.DataSource.CreateCommand("""
            SELECT c.relname, a.attname, obj_description(c.oid, 'pg_class'), col_description(c.oid, a.attnum)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = 'pipeline' AND c.relkind IN ('r', 'v') AND c.relname <> '__ef_migrations_history'
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                if (r.IsDBNull(2)) uncommented.Add(r.GetString(0));
                if (r.IsDBNull(3)) uncommented.Add($"{r.GetString(0)}.{r.GetString(1)}");
            }
        Assert.Empty(uncommented.Distinct());

        foreach (var relation in new[] { "steps", "outcomes", "accuracy_by_budget", "run_progress", "workers", "workers_alive" })
            Assert.Equal(1, await Seed.ScalarAsync(database.DataSource,
                $"SELECT has_table_privilege('pipeline_analyst', 'pipeline.{relation}', 'SELECT')::int"));
        Assert.Equal(0, await Seed.ScalarAsync(database.DataSource,
            "SELECT has_table_privilege('pipeline_analyst', 'pipeline.steps', 'INSERT')::int"));
    }
}
