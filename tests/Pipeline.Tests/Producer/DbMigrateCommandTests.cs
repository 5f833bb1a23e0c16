using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Producer;

public sealed class DbMigrateCommandTests(EmptyDatabase database) : IClassFixture<EmptyDatabase>
{
    [Fact]
    public async Task Migrate_applies_every_migration_once_then_reports_up_to_date()
    {
        var r = await Cli.RunAsync(Cli.Config(database), "db", "migrate");
        Assert.Equal(0, r.ExitCode);
        // the squashed schema (tables, then the views and role from src/Storage/Views and src/Storage/Sql), then table workers
        Assert.Contains("_Initial", r.Output);
        Assert.Contains("_Workers", r.Output);

        r = await Cli.RunAsync(Cli.Config(database), "db", "migrate", "--connection", database.ConnectionString);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("schema up to date (2 migrations applied)", r.Output);
    }

    [Fact]
    public async Task Without_a_connection_string_the_error_says_how_to_get_one()
    {
        var r = await Cli.RunAsync(new Dictionary<string, string?>(), "db", "migrate");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("set ConnectionStrings__Pipeline", r.Output);
    }
}
