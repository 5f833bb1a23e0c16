namespace Pipeline.Inference;

/// <summary>Builds prompt texts in the layout of docs/model-format.md (bos is added at encoding). A model
/// with a chat template starts from the rendered template (<see cref="ChatPrompts.Policy"/>) instead of
/// its prompt_template.</summary>
public static class PromptBuilder
{
    /// <summary>Policy prompt: the template with the problem, then each prefix step and its delimiter,
    /// so the model continues with the next step. <paramref name="systemPrompt"/> (chat templates only)
    /// overrides the manifest's system_prompt.</summary>
    public static string Policy(ModelManifest manifest, string problem, IEnumerable<string> prefixSteps, string? systemPrompt = null)
    {
        var prompt = Start(manifest, problem, systemPrompt);
        foreach (var step in prefixSteps) prompt += step + manifest.StepDelimiter;
        return prompt;
    }

    /// <summary>Revision prompt: the problem, the last <c>max_attempts</c> attempts (oldest first), each
    /// its steps joined by the attempt joiner inside the attempt template, then the revision prefix.</summary>
    public static string Revision(ModelManifest manifest, string problem, IReadOnlyList<IReadOnlyList<string>> attempts, string? systemPrompt = null)
    {
        var format = manifest.Revision
            ?? throw new InvalidOperationException($"{manifest.ManifestPath}: model '{manifest.Name}' has no 'revision' format, it is not a revision model");
        var prompt = Start(manifest, problem, systemPrompt);
        foreach (var attempt in attempts.Skip(Math.Max(0, attempts.Count - format.MaxAttempts)))
            prompt += format.AttemptTemplate.Replace("{attempt}", string.Join(format.AttemptStepJoiner, attempt), StringComparison.Ordinal);
        return prompt + format.RevisionPrefix;
    }

    private static string Start(ModelManifest manifest, string problem, string? systemPrompt) =>
        manifest.ChatTemplatePath is null ? manifest.FormatPrompt(problem) : ChatPrompts.Policy(manifest, problem, systemPrompt);
}
