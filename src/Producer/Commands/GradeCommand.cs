using System.ComponentModel;
using Pipeline.Grading;
using Pipeline.Producer.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands;

/// <summary><c>pipeline grade [FILE] [-o OUT]</c>: JSON lines {"gold", "pred"} in, one {"equal"} line out per input
/// line (the grader's GradeStream). Without -o the JSONL goes to stdout and the summary to stderr, so pipes stay clean.
/// Exit code 1 when a line could not be read.</summary>
public sealed class GradeCommand(IAnsiConsole console) : AsyncCommand<GradeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[FILE]")]
        [Description("JSONL input; default: stdin")]
        public string? File { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("JSONL output; default: stdout")]
        public string? Output { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        if (settings.File is not null) InputFiles.Require(settings.File);
        using var input = settings.File is null ? Console.In : new StreamReader(settings.File);
        await using var output = settings.Output is null ? Console.Out : new StreamWriter(settings.Output);
        var summary = await GradeStream.RunAsync(input, output, ct);
        var line = $"graded {summary.Lines} lines: {summary.Equal} equal, {summary.Lines - summary.Equal - summary.Errors} different, {summary.Errors} unreadable";
        if (settings.Output is null) await Console.Error.WriteLineAsync(line);
        else console.WriteLine(line);
        return summary.Errors == 0 ? 0 : 1;
    }
}
