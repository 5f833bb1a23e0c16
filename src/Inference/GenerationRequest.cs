namespace Pipeline.Inference;

/// <summary>Generate <paramref name="Samples"/> continuations of one prompt.</summary>
/// <param name="Prompt">The prompt text without bos (build it with <see cref="PromptBuilder"/>).</param>
/// <param name="Temperature">0 = greedy.</param>
/// <param name="Seed">Sample i draws from a stream seeded by (Seed, i) alone: same seed, same samples.</param>
/// <param name="MaxNewTokens">Token limit of the whole call (one step, or the whole solution).</param>
/// <param name="MaxSteps">Solution mode: stop after this many steps (finish reason "max_steps").</param>
/// <param name="IgnoreStops">Benchmarks only: run exactly MaxNewTokens tokens, ignoring EOS and delimiters.</param>
/// <param name="PromptTokenIds">The prompt already tokenized (e.g. a raw prompt with the tokenizer's special
/// tokens, <see cref="TextTokenizer.EncodeWithSpecialTokens"/>); <paramref name="Prompt"/> is then only a label.</param>
public sealed record GenerationRequest(
    string Prompt,
    int Samples = 1,
    double Temperature = 0,
    double TopP = 1,
    long Seed = 0,
    StopMode Mode = StopMode.Step,
    int MaxNewTokens = 256,
    int MaxSteps = 64,
    bool IgnoreStops = false,
    IReadOnlyList<int>? PromptTokenIds = null);
