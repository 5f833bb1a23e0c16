using System.Text.Json;
using Microsoft.Extensions.Options;
using Pipeline.Inference;
using Spectre.Console;

namespace Pipeline.Producer.Commands.Models;

/// <summary>What the model commands share: their JSON output and how they load a model.</summary>
internal static class ModelOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One JSON object on one line, written past Spectre's renderer so long lines are not wrapped.</summary>
    public static void Json(IAnsiConsole console, object value)
    {
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Options));
        console.Profile.Out.Writer.Flush();
    }

    /// <summary>Loads a model with the configured engine options (Inference__*), <paramref name="device"/> overriding
    /// the device; the options are copied whole, so a setting added later is never dropped here.</summary>
    public static LanguageModel Load(string manifest, IOptions<InferenceOptions> configured, string? device)
    {
        var options = JsonSerializer.Deserialize<InferenceOptions>(JsonSerializer.Serialize(configured.Value))!;
        if (device is not null) options.Device = device;
        return LanguageModel.Load(manifest, options);
    }

    /// <summary>The policy prompt of a problem as workers build it (chat template or prompt_template).</summary>
    public static string PolicyPrompt(ModelManifest manifest, string problem, string? system, DateTime? date) =>
        manifest.ChatTemplatePath is null ? manifest.FormatPrompt(problem) : ChatPrompts.Policy(manifest, problem, system, date);
}
