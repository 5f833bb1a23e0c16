using System.ComponentModel;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Models;

/// <summary>Options shared by the commands that load one model manifest.</summary>
public class ModelSettings : CommandSettings
{
    [CommandArgument(0, "<MANIFEST>")]
    [Description("Model manifest (*.manifest.json)")]
    public string Manifest { get; init; } = "";

    [CommandOption("--json")]
    [Description("Print one JSON object (docs/cli.md) instead of text")]
    public bool Json { get; init; }
}

/// <summary>Options of the commands that run the model.</summary>
public class ModelRunSettings : ModelSettings
{
    [CommandOption("--device <DEVICE>")]
    [Description("auto, cpu or cuda (default: Inference__Device, else auto)")]
    public string? Device { get; init; }
}
