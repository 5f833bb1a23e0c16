using System.ComponentModel;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands;

/// <summary>Options every database command shares.</summary>
public class DatabaseSettings : CommandSettings
{
    [CommandOption("--connection <CONNECTION_STRING>")]
    [Description("PostgreSQL connection string; default: env ConnectionStrings__Pipeline")]
    public string? Connection { get; init; }
}
