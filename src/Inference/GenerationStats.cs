namespace Pipeline.Inference;

/// <summary>Where the last <see cref="Generator.Generate"/> call spent its time (benchmarks and logs).</summary>
public sealed record GenerationStats(
    int Rows,
    int PrefillRuns,
    int PrefillTokens,
    int DecodeSteps,
    double PrefillSeconds,
    double DecodeModelSeconds,
    double CacheCopySeconds,
    double TotalSeconds,
    int KeptPromptTokens = 0,
    int FedPromptTokens = 0)
{
    // KeptPromptTokens: prompt positions copied from prompts kept by earlier calls (InferenceOptions.PolicyPrefixCacheGiB);
    // FedPromptTokens: the rest of those prompts, fed one token a decode step.
}
