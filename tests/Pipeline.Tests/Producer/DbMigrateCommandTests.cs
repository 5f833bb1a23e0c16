using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Producer;

public sealed class DbMigrateCommandTests(EmptyDatabase database) : IClassFixture<EmptyDatabase>
{
    [Fact]
    public async Task Migrate_applies_every_migration_once_then_reports_up_to_date()
    {
        var r = await Cli.RunAsync(Cli.Config(database), "db", "migrate");
        Assert.Equal(0, r.ExitCode);
        // the squashed schema (tables, then the views and role from src/Storage/Views and src/Storage/Sql), then table
        // workers, its in-flight columns and views, then searches.filter_duplicates
        Assert.Contains("_Initial", r.Output);
        Assert.Contains("_Workers", r.Output);
        Assert.Contains("_WorkerBusy", r.Output);
        Assert.Contains("_FilterDuplicates", r.Output);

        r = await Cli.RunAsync(Cli.Config(database), "db", "migrate", "--connection", database.ConnectionString);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("schema up to date (4 migrations applied)", r.Output);
    }

    [Fact]
    public async Task Without_a_connection_string_the_error_says_how_to_get_one()
    {
        var r = await Cli.RunAsync(new Dictionary<string, string?>(), "db", "migrate");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("set ConnectionStrings__Pipeline", r.Output);
    }
}

public sealed class DbQueryCommandTests(EmptyDatabase database) : IClassFixture<EmptyDatabase>
{
    [Fact]
    public async Task Query_prints_rows_as_psql_A_t_does()
    {
        var r = await Cli.RunAsync(Cli.Config(database), "db", "query",
            "SELECT * FROM (VALUES (1, 'a b', true, NULL::text, 2.5::float8), (22, repeat('x', 300), false, 'z', 1e-3::float8)) v ORDER BY 1");
        Assert.Equal(0, r.ExitCode);
        // one line a row however long (no wrapping at the console width), '|' between columns, NULL as nothing
        Assert.Equal($"1|a b|t||2.5\n22|{new string('x', 300)}|f|z|0.001\n", r.Output.Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task A_bad_statement_fails_with_the_servers_message()
    {
        var r = await Cli.RunAsync(Cli.Config(database), "db", "query", "SELECT * FROM no_such_table");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no_such_table", r.Output);
    }
}
