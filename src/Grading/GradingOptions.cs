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

    /// Accept an inequality ("-2 \le x \le 7") against a gold interval ("[-2,7]"). Off by default, as Math-Verify's
    /// allow_set_relation_comp: an inequality gold always accepts its interval.
    public bool AllowSetRelationComparison { get; set; }
}
