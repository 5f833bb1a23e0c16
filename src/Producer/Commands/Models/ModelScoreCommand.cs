using System.ComponentModel;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Pipeline.Inference;
using Pipeline.Producer.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Models;

/// <summary><c>pipeline model score MANIFEST --problem TEXT --steps-file FILE [--json]</c>: the PRM's score of every
/// step, its input built by the manifest's recipe (prm.input). FILE holds one step per paragraph.</summary>
public sealed partial class ModelScoreCommand(IAnsiConsole console, IOptions<InferenceOptions> options) : AsyncCommand<ModelScoreCommand.Settings>
{
    public sealed class Settings : ModelRunSettings
    {
        [CommandOption("--problem <TEXT>")]
        [Description("The problem")]
        public string Problem { get; init; } = "";

        [CommandOption("--steps-file <FILE>")]
        [Description("The solution's steps, one per paragraph (separated by blank lines)")]
        public string StepsFile { get; init; } = "";

        public override ValidationResult Validate() =>
            Problem.Length == 0 ? ValidationResult.Error("--problem is required")
            : StepsFile.Length == 0 ? ValidationResult.Error("--steps-file is required")
            : ValidationResult.Success();
    }

    public sealed record Output(IReadOnlyList<double> Scores, IReadOnlyList<string> Steps, IReadOnlyList<int> InputTokenIds, IReadOnlyList<int> ScorePositions);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        if (!File.Exists(settings.StepsFile)) throw new InputException(new InputError(settings.StepsFile, 0, null, "file not found"));
        var steps = Paragraphs(await File.ReadAllTextAsync(settings.StepsFile, ct));
        if (steps.Count == 0) throw new InputException(new InputError(settings.StepsFile, 1, null, "no steps (one step per paragraph, paragraphs separated by blank lines)"));
        using var model = ModelOutput.Load(settings.Manifest, options, settings.Device);
        var scorer = new PrmScorer(model);
        var input = new PrmInput(settings.Problem, steps);
        var tokens = scorer.Tokens(input);
        var scores = (await scorer.ScoreAsync([input], ct))[0];
        if (settings.Json)
        {
            ModelOutput.Json(console, new Output(scores, steps, tokens.Ids, tokens.Markers));
            return 0;
        }
        var table = new Table().AddColumns("step", "score", "text");
        for (var i = 0; i < steps.Count; i++)
            table.AddRow((i + 1).ToString(), scores[i].ToString("F4"), Markup.Escape(steps[i].Length > 80 ? steps[i][..77] + "..." : steps[i]));
        console.Write(table);
        return 0;
    }

    /// <summary>Paragraphs of a text: runs of lines separated by blank (or whitespace-only) lines, each trimmed.</summary>
    public static IReadOnlyList<string> Paragraphs(string text) =>
        BlankLines().Split(text.Replace("\r\n", "\n")).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();

    [GeneratedRegex(@"\n[ \t]*\n(?:[ \t]*\n)*")]
    private static partial Regex BlankLines();
}
