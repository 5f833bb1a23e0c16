namespace Pipeline.Grading;

/// <summary>Limits of one comparison. Bind from configuration section "Grading" (env: Grading__MaxSteps, ...).</summary>
public sealed class GradingOptions
{
    public const string SectionName = "Grading";

    /// Parse and evaluation steps one comparison may take before it answers false.
    public int MaxSteps { get; set; } = 200_000;

    /// Wall-clock backstop per comparison, in milliseconds.
    public int MaxMilliseconds { get; set; } = 250;

    /// Answers longer than this (characters, after extraction) are compared as normalized strings only.
    public int MaxAnswerLength { get; set; } = 2_000;
}
