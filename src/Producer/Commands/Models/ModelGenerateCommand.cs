using System.ComponentModel;
using Microsoft.Extensions.Options;
using Pipeline.Inference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Models;

/// <summary><c>pipeline model generate MANIFEST --problem TEXT [--raw] [--max-new-tokens N] [--temperature T] [--json]</c>:
/// one solution from the policy prompt (as <c>model prompt</c> builds it), or with <c>--raw</c> from the problem
/// alone tokenized as <c>tokenizer(text)</c> by default (special tokens added). Stops at any stop token or the token limit.</summary>
public sealed class ModelGenerateCommand(IAnsiConsole console, IOptions<InferenceOptions> options) : AsyncCommand<ModelGenerateCommand.Settings>
{
    public sealed class Settings : ModelRunSettings
    {
        [CommandOption("--problem <TEXT>")]
        [Description("The problem")]
        public string Problem { get; init; } = "";

        [CommandOption("--raw")]
        [Description("No template: the problem text alone, with the tokenizer's special tokens (e.g. BOS)")]
        public bool Raw { get; init; }

        [CommandOption("--system <TEXT>")]
        [Description("System message of chat templates; default: the manifest's system_prompt")]
        public string? System { get; init; }

        [CommandOption("--max-new-tokens <N>")]
        [DefaultValue(256)]
        public int MaxNewTokens { get; init; } = 256;

        [CommandOption("--temperature <T>")]
        [Description("0 = greedy")]
        [DefaultValue(0.0)]
        public double Temperature { get; init; }

        [CommandOption("--seed <SEED>")]
        [DefaultValue(0L)]
        public long Seed { get; init; }

        [CommandOption("--date <DATE>")]
        [Description("The date templates print (yyyy-MM-dd; default: 2024-07-26, see docs/models.md)")]
        public DateTime? Date { get; init; }

        public override ValidationResult Validate() =>
            Problem.Length == 0 ? ValidationResult.Error("--problem is required")
            : MaxNewTokens <= 0 ? ValidationResult.Error("--max-new-tokens must be positive")
            : Temperature < 0 ? ValidationResult.Error("--temperature must be 0 or more")
            : ValidationResult.Success();
    }

    public sealed record Output(string Prompt, IReadOnlyList<int> PromptTokenIds, IReadOnlyList<int> GeneratedTokenIds,
        string Text, IReadOnlyList<string> Steps, string FinishReason);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        using var model = ModelOutput.Load(settings.Manifest, options, settings.Device);
        var prompt = settings.Raw ? settings.Problem : ModelOutput.PolicyPrompt(model.Manifest, settings.Problem, settings.System, settings.Date);
        var ids = settings.Raw ? model.Tokenizer.EncodeWithSpecialTokens(prompt) : model.EncodePrompt(prompt);
        var request = new GenerationRequest(prompt, 1, settings.Temperature, 1, settings.Seed, StopMode.Solution,
            settings.MaxNewTokens, MaxSteps: int.MaxValue, PromptTokenIds: ids);
        var sample = (await new Generator(model).GenerateAsync([request], ct))[0].Samples[0];
        var output = new Output(prompt, ids, sample.TokenIds, sample.Text, sample.Steps.Select(s => s.Text).ToList(), sample.FinishReason);
        if (settings.Json)
        {
            ModelOutput.Json(console, output);
            return 0;
        }
        console.WriteLine(sample.Text);
        console.MarkupLineInterpolated($"[grey]{ids.Length} prompt tokens, {sample.TokenIds.Count} generated ({sample.FinishReason}), {sample.Steps.Count} steps[/]");
        return 0;
    }
}
