using System.ComponentModel;
using Pipeline.Inference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Models;

/// <summary><c>pipeline model prompt MANIFEST --user TEXT [--system TEXT] [--date D] [--json]</c>: the policy prompt
/// workers give the model (the chat template rendered over system + user, add_generation_prompt true, or the
/// prompt_template) and its token ids (no special tokens added: the template writes BOS itself).</summary>
public sealed class ModelPromptCommand(IAnsiConsole console) : Command<ModelPromptCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--user <TEXT>")]
        [Description("The user message (the problem)")]
        public string User { get; init; } = "";

        [CommandOption("--system <TEXT>")]
        [Description("System message; default: the manifest's system_prompt")]
        public string? System { get; init; }

        [CommandOption("--date <DATE>")]
        [Description("The date templates print (yyyy-MM-dd; default: 2024-07-26, see docs/models.md)")]
        public DateTime? Date { get; init; }

        public override ValidationResult Validate() =>
            User.Length == 0 ? ValidationResult.Error("--user is required") : ValidationResult.Success();
    }

    public sealed record Output(string Prompt, IReadOnlyList<int> PromptTokenIds);

    public override int Execute(CommandContext context, Settings settings, CancellationToken ct)
    {
        var manifest = ModelManifest.Load(settings.Manifest);
        using var tokenizer = LanguageModel.LoadTokenizer(manifest);
        var prompt = ModelOutput.PolicyPrompt(manifest, settings.User, settings.System, settings.Date);
        var ids = tokenizer.Encode(prompt);
        if (manifest.AddBos) ids = [tokenizer.TokenId(manifest.BosToken, manifest.ManifestPath, "bos_token"), .. ids];
        if (settings.Json)
        {
            ModelOutput.Json(console, new Output(prompt, ids));
            return 0;
        }
        console.WriteLine(prompt);
        console.MarkupLineInterpolated($"[grey]{ids.Length} tokens: {string.Join(' ', ids)}[/]");
        return 0;
    }
}
