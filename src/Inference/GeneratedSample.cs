namespace Pipeline.Inference;

/// <summary>One generated step: its text without the delimiter, and the tokens it took (its delimiter included).</summary>
public sealed record GeneratedStep(string Text, int Tokens);

/// <summary>One sample of a <see cref="GenerationRequest"/>.</summary>
/// <param name="Steps">Completed steps, then the unfinished tail if the sample stopped mid-step (EOS or token limit).
/// Empty when the model ended at once (EOS right after the prompt).</param>
/// <param name="Text">Everything generated, delimiters included, EOS left out.</param>
/// <param name="GeneratedTokens">Tokens sampled, EOS included.</param>
/// <param name="FinishReason">One of <see cref="FinishReasons"/>.</param>
/// <param name="Terminal">The solution is over: EOS, or the last step holds the final answer.</param>
/// <param name="TokenIds">The sampled token ids, EOS included.</param>
public sealed record GeneratedSample(
    int SampleIndex,
    IReadOnlyList<GeneratedStep> Steps,
    string Text,
    int PromptTokens,
    int GeneratedTokens,
    string FinishReason,
    bool Terminal,
    IReadOnlyList<int> TokenIds);

/// <summary>The samples of one request, in sample order.</summary>
public sealed record GenerationResult(GenerationRequest Request, IReadOnlyList<GeneratedSample> Samples);
