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
    double TotalSeconds);
