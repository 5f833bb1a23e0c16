using System.ComponentModel;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Runs;

/// <summary>Settings of the commands that take an optional run: id, id prefix or name; default the latest run.</summary>
public class RunSettings : DatabaseSettings
{
    [CommandArgument(0, "[RUN]")]
    [Description("Run id, id prefix (4+ characters) or run name; default: the latest run")]
    public string? Run { get; init; }
}
