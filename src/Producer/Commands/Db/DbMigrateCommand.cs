using Microsoft.EntityFrameworkCore;
using Pipeline.Producer.Infrastructure;
using Pipeline.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Db;

/// <summary><c>pipeline db migrate</c>: the one place migrations are applied.</summary>
public sealed class DbMigrateCommand(IAnsiConsole console, DatabaseConnector connector) : AsyncCommand<DbMigrateCommand.Settings>
{
    public sealed class Settings : DatabaseSettings;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        await using var db = new PipelineDbContext(PipelineDbContext.CreateOptions(connector.Get(settings.Connection)));
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count == 0)
        {
            var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).Count();
            console.MarkupLineInterpolated($"schema [green]up to date[/] ({applied} migrations applied)");
            return 0;
        }
        await db.Database.MigrateAsync(ct);
        foreach (var m in pending) console.MarkupLineInterpolated($"applied [green]{m}[/]");
        return 0;
    }
}
