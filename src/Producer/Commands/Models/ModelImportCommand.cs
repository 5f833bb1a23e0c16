using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Inference;
using Pipeline.Producer.Infrastructure;
using Pipeline.Producer.ModelImport;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Producer.Commands.Models;

/// <summary><c>pipeline model import HF_DIR --out DIR [...]</c>: a Hugging Face checkpoint to an ONNX model + manifest
/// (docs/import-contract.md). Checks the Python it needs, computes the PRM label token ids with the model's own
/// tokenizer, runs scripts/hf_import/import_hf.py (its output streamed), then loads the manifest to prove it.</summary>
public sealed class ModelImportCommand(IAnsiConsole console) : AsyncCommand<ModelImportCommand.Settings>
{
    internal static readonly string[] Roles = ["policy", "prm", "revision"];
    internal static readonly string[] PrmFormats = ["qwen-prm", "math-shepherd", "skywork", "rlhflow"];
    // The Qwen2.5-Math-PRM model card's system message (its reference code scores with it).
    internal const string QwenPrmSystemPrompt = "Please reason step by step, and put your final answer within \\boxed{}.";

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<HF_DIR>")]
        [Description("Checkpoint folder: config.json, *.safetensors, tokenizer.json, tokenizer_config.json")]
        public string HfDir { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("Output folder (model.onnx, tokenizer.json, chat_template.jinja, NAME.manifest.json)")]
        public string Out { get; init; } = "";

        [CommandOption("--role <ROLE>")]
        [Description("policy, prm or revision (default: prm for PRM checkpoints or with --prm-format, else policy)")]
        public string? Role { get; init; }

        [CommandOption("--prm-format <FORMAT>")]
        [Description("qwen-prm, math-shepherd, skywork or rlhflow (default: from the architecture)")]
        public string? PrmFormat { get; init; }

        [CommandOption("--layout <LAYOUT>")]
        [Description("Decoders: shared or concat (default: shared for float16, concat for float32)")]
        public string? Layout { get; init; }

        [CommandOption("--dtype <DTYPE>")]
        [Description("float16, bfloat16 or float32 (default: float16)")]
        public string? Dtype { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("Model name (default: the checkpoint folder's name)")]
        public string? Name { get; init; }

        [CommandOption("--max-positions <N>")]
        public int? MaxPositions { get; init; }

        [CommandOption("--system-prompt <TEXT>")]
        [Description("The manifest's system_prompt (default: search-and-learn's MATH prompt; qwen-prm: its model card's)")]
        public string? SystemPrompt { get; init; }

        [CommandOption("--json")]
        [Description("Print the imported manifest's summary as one JSON object (importer output goes to stderr)")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Out.Length == 0) return ValidationResult.Error("--out is required");
            if (Role is not null && !Roles.Contains(Role)) return ValidationResult.Error($"--role {Role}: not one of {string.Join(", ", Roles)}");
            if (PrmFormat is not null && !PrmFormats.Contains(PrmFormat))
                return ValidationResult.Error($"--prm-format {PrmFormat}: not one of {string.Join(", ", PrmFormats)}");
            if (Layout is not null and not ("shared" or "concat")) return ValidationResult.Error($"--layout {Layout}: not one of shared, concat");
            if (Dtype is not null and not ("float16" or "bfloat16" or "float32"))
                return ValidationResult.Error($"--dtype {Dtype}: not one of float16, bfloat16, float32");
            return MaxPositions is <= 0 ? ValidationResult.Error("--max-positions must be positive") : ValidationResult.Success();
        }
    }

    public sealed record Output(string Manifest, string Name, string Role, string Onnx, string Dtype, string KvCache, int MaxPositions,
        long ParameterCount, IReadOnlyList<string> StopTokens, string? ChatTemplate, string? PrmFormat, string? PrmInput,
        IReadOnlyList<int>? LabelTokenIds);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var hfDir = Path.GetFullPath(settings.HfDir);
        var config = Path.Combine(hfDir, "config.json");
        if (!File.Exists(config)) throw new InputException(new InputError(config, 0, null, "not found (HF_DIR must be a checkpoint folder)"));
        var python = ImporterPython.Find();
        var script = ImporterScript.Find();
        var architecture = Architecture(config);
        var format = settings.PrmFormat
                     ?? (settings.Role == "prm" || IsPrmCheckpoint(architecture) ? DefaultFormat(architecture, config) : null);
        var labelIds = LabelTokenIds(format, hfDir);
        var systemPrompt = settings.SystemPrompt ?? (format == "qwen-prm" ? QwenPrmSystemPrompt : null);

        var args = new List<string> { script, hfDir, "--out", Path.GetFullPath(settings.Out) };
        void Add(string flag, object? value) { if (value is not null) args.AddRange([flag, value.ToString()!]); }
        Add("--role", settings.Role);
        Add("--prm-format", settings.PrmFormat);
        Add("--layout", settings.Layout);
        Add("--dtype", settings.Dtype);
        Add("--name", settings.Name);
        Add("--max-positions", settings.MaxPositions);
        Add("--label-token-ids", labelIds is null ? null : string.Join(',', labelIds));
        string? promptFile = null;
        if (systemPrompt is not null)
        {
            promptFile = Path.Combine(Path.GetTempPath(), $"pipeline-system-prompt-{Guid.NewGuid():N}.txt");
            await File.WriteAllTextAsync(promptFile, systemPrompt, ct);
            Add("--system-prompt-file", promptFile);
        }
        try
        {
            var code = await RunAsync(python, args, settings.Json, ct);
            if (code != 0) throw new CliException($"import_hf.py exited with code {code} (its message is above)");
        }
        finally
        {
            if (promptFile is not null) File.Delete(promptFile);
        }

        var name = settings.Name ?? new DirectoryInfo(hfDir).Name;
        var manifest = ModelManifest.Load(Path.Combine(Path.GetFullPath(settings.Out), name + ".manifest.json"));
        var output = new Output(manifest.ManifestPath, manifest.Name, manifest.Role.ToString().ToLowerInvariant(), manifest.OnnxPath, manifest.Dtype,
            manifest.Role == ModelRole.Prm ? "none" : manifest.SharedKvCache ? "shared" : "concat", manifest.MaxPositions, manifest.ParameterCount,
            manifest.EffectiveStopTokens, manifest.ChatTemplatePath, manifest.Prm?.Format,
            manifest.Prm?.Input is { } input ? InputName(input) : null, manifest.Prm?.LabelTokenIds);
        if (settings.Json)
        {
            ModelOutput.Json(console, output);
            return 0;
        }
        var grid = new Grid().AddColumns(2);
        foreach (var (k, v) in new (string, object?)[]
                 {
                     ("manifest", output.Manifest), ("name", output.Name), ("role", output.Role), ("dtype", output.Dtype),
                     ("kv_cache", output.KvCache), ("max_positions", output.MaxPositions), ("parameters", output.ParameterCount.ToString("N0")),
                     ("stop_tokens", string.Join(" ", output.StopTokens)), ("chat_template", output.ChatTemplate ?? "none"),
                     ("prm", output.PrmFormat is null ? "none" : $"{output.PrmFormat} (input {output.PrmInput}{(labelIds is null ? "" : $", label ids {string.Join(",", labelIds)}")})"),
                 })
            grid.AddRow(new Text(k), new Text(v?.ToString() ?? ""));
        console.MarkupLine("[green]imported[/]");
        console.Write(grid);
        return 0;
    }

    /// <summary>The label token ids a token-logits PRM format needs, from the checkpoint's tokenizer.json.</summary>
    internal static int[]? LabelTokenIds(string? format, string hfDir)
    {
        if (format is not ("math-shepherd" or "rlhflow")) return null;
        var path = Path.Combine(hfDir, "tokenizer.json");
        if (!File.Exists(path)) throw new InputException(new InputError(path, 0, null, $"not found: the {format} label token ids come from the model's tokenizer"));
        using var tokenizer = TextTokenizer.Load(new TokenizerSpec("hf-json", null, null, path), []);
        return PrmLabelTokens.For(format, tokenizer);
    }

    private static string InputName(PrmInputKind kind) => kind switch
    {
        PrmInputKind.Chat => "chat",
        PrmInputKind.Plain => "plain",
        PrmInputKind.PerStep => "per_step",
        _ => "chat_turns",
    };

    private static bool IsPrmCheckpoint(string? architecture) => architecture is "Qwen2ForProcessRewardModel" or "Qwen2ForPrmModel";

    // As import_hf.py resolves a PRM checkpoint without --prm-format.
    private static string DefaultFormat(string? architecture, string config) => architecture switch
    {
        "Qwen2ForProcessRewardModel" => "qwen-prm",
        "Qwen2ForPrmModel" => "skywork",
        "MistralForCausalLM" => "math-shepherd",
        "LlamaForCausalLM" => "rlhflow",
        _ => throw new InputException(new InputError(config, 1, "architectures", $"'{architecture}' has no default PRM format; give --prm-format")),
    };

    private static string? Architecture(string config)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(config));
            return doc.RootElement.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
                ? a[0].GetString() : null;
        }
        catch (JsonException e)
        {
            throw new InputException(new InputError(config, (int)(e.LineNumber ?? 0) + 1, null, $"malformed JSON ({e.Message})"));
        }
    }

    // Streams the importer's lines as they come (stdout when printing text; stderr with --json, so stdout stays one object).
    private async Task<int> RunAsync(string python, List<string> args, bool json, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new CliException($"could not start {python}");
        var gate = new Lock();
        void Line(string? line)
        {
            if (line is null) return;
            lock (gate)
            {
                if (json) Console.Error.WriteLine(line);
                else console.WriteLine(line);
            }
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return process.ExitCode;
    }
}
