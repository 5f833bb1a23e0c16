using System.ComponentModel;
using System.Globalization;
using Pipeline.Producer.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Db;

/// <summary><c>pipeline db query SQL</c>: runs one statement and prints its rows for scripts, in psql -A -t's format
/// (columns split by '|', NULL as nothing, booleans t/f). For machines that have the pipeline but no psql: the GPU
/// machine's scripts (scripts/gpu/pipeline_run.sh) read their measurements through it.</summary>
public sealed class DbQueryCommand(IAnsiConsole console, DatabaseConnector connector) : AsyncCommand<DbQueryCommand.Settings>
{
    public sealed class Settings : DatabaseSettings
    {
        [CommandArgument(0, "<SQL>")]
        [Description("One SQL statement")]
        public string Sql { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        await using var cmd = connector.Get(settings.Connection).CreateCommand(settings.Sql);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        // written past Spectre's renderer, which would wrap long rows at the console width
        var output = console.Profile.Out.Writer;
        var fields = new string[reader.FieldCount];
        while (await reader.ReadAsync(ct))
        {
            for (var i = 0; i < fields.Length; i++) fields[i] = Format(reader.IsDBNull(i) ? null : reader.GetValue(i));
            await output.WriteLineAsync(string.Join('|', fields));
        }
        await output.FlushAsync(ct);
        return 0;
    }

    public static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "t" : "f",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + (t.Kind == DateTimeKind.Utc ? "+00" : ""),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
