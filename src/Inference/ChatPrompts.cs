using System.Collections.Concurrent;
using Pipeline.Inference.Templates;

namespace Pipeline.Inference;

/// <summary>Chat-template prompts of imported models (docs/import-contract.md): the manifest's
/// <c>chat_template</c> rendered as Hugging Face's <c>apply_chat_template</c> renders it. Templates are
/// parsed once per file.</summary>
public static class ChatPrompts
{
    private static readonly ConcurrentDictionary<string, ChatTemplate> Templates = new(StringComparer.Ordinal);

    /// <summary>The date templates print (<c>strftime_now</c>) unless told otherwise: 26 Jul 2024, the Llama 3.x
    /// templates' own fallback, so a prompt, and a PRM's input, is the same text on every day it is rendered.</summary>
    public static readonly DateTime DefaultDate = new(2024, 7, 26);

    /// <summary>Renders messages with the manifest's template (bos/eos texts from the manifest; <paramref name="now"/>
    /// default <see cref="DefaultDate"/>).</summary>
    public static string Render(ModelManifest manifest, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, DateTime? now = null)
    {
        var path = manifest.ChatTemplatePath
            ?? throw new InvalidOperationException($"{manifest.ManifestPath}: model '{manifest.Name}' has no 'chat_template'");
        var template = Templates.GetOrAdd(path, ChatTemplate.Load);
        return template.Render(messages, addGenerationPrompt, new ChatTemplateOptions { BosToken = manifest.BosToken, EosToken = manifest.EosToken, Now = now ?? DefaultDate });
    }

    /// <summary>The messages of a policy prompt: system (the run's system prompt, else the manifest's;
    /// none when both are empty) and user (the problem).</summary>
    public static IReadOnlyList<ChatMessage> PolicyMessages(ModelManifest manifest, string problem, string? systemPrompt)
    {
        var system = !string.IsNullOrEmpty(systemPrompt) ? systemPrompt : manifest.SystemPrompt;
        return string.IsNullOrEmpty(system)
            ? [new ChatMessage("user", problem)]
            : [new ChatMessage("system", system), new ChatMessage("user", problem)];
    }

    /// <summary>The rendered policy prompt (add_generation_prompt true), to be tokenized without special tokens.</summary>
    public static string Policy(ModelManifest manifest, string problem, string? systemPrompt, DateTime? now = null) =>
        Render(manifest, PolicyMessages(manifest, problem, systemPrompt), addGenerationPrompt: true, now);
}
