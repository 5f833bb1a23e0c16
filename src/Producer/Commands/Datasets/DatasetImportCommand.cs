using System.ComponentModel;
using Pipeline.Producer.Datasets;
using Pipeline.Producer.Infrastructure;
using Pipeline.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Datasets;

/// <summary><c>pipeline dataset import FILE --format math|gsm8k [--name NAME]</c>: validates every line first (strict UTF-8, fields, levels 1-5),
/// then writes all problems in one transaction (binary COPY). Same name + same content: nothing to do;
/// same name + other content: refused.</summary>
public sealed class DatasetImportCommand(IAnsiConsole console, DatabaseConnector connector) : AsyncCommand<DatasetImportCommand.Settings>
{
    public sealed class Settings : DatabaseSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("JSONL file, one problem per line")]
        public string File { get; init; } = "";

        [CommandOption("-f|--format <FORMAT>")]
        [Description("math (MATH / PRM800K: problem, solution, answer, subject, level, unique_id) or gsm8k (question, answer with '#### final')")]
        public string? Format { get; init; }

        [CommandOption("-n|--name <NAME>")]
        [Description("Dataset name run specs refer to; default: the file name without extension")]
        public string? Name { get; init; }

        public override ValidationResult Validate()
        {
            if (Format is null) return ValidationResult.Error("--format is required: math or gsm8k");
            return DatasetFormats.TryParse(Format, out _)
                ? ValidationResult.Success()
                : ValidationResult.Error($"--format '{Format}' is not one of: math, gsm8k");
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        DatasetFormats.TryParse(settings.Format, out var format);
        var name = string.IsNullOrWhiteSpace(settings.Name) ? Path.GetFileNameWithoutExtension(settings.File) : settings.Name.Trim();

        IReadOnlyList<ProblemRow> rows;
        using (var stream = InputFiles.OpenRead(settings.File))
            rows = DatasetFileReader.Read(stream, settings.File, format);

        var result = await DatasetImport.ImportAsync(
            connector.Get(settings.Connection), name, DatasetFormats.Name(format), settings.File, rows, ct);
        if (result.Outcome == DatasetImportOutcome.AlreadyPresent)
            console.MarkupLineInterpolated($"dataset [blue]{name}[/] already holds these {result.ProblemCount} problems: nothing to do");
        else
        {
            var levels = rows.Where(r => r.Level is not null).GroupBy(r => r.Level!.Value).OrderBy(g => g.Key)
                .Select(g => $"L{g.Key}: {g.Count()}").ToList();
            console.MarkupLineInterpolated($"imported [green]{result.ProblemCount}[/] problems into dataset [blue]{name}[/] (id {result.DatasetId}, format {DatasetFormats.Name(format)})");
            if (levels.Count > 0) console.MarkupLineInterpolated($"levels: {string.Join(", ", levels)}");
        }
        return 0;
    }
}
