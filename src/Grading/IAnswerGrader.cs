namespace Pipeline.Grading;

/// <summary>Extracts final answers from solution texts and decides when two answers are the same.</summary>
/// <remarks>Implementations are pure (no I/O), thread-safe, never throw on garbage input, and bound their time per call.</remarks>
public interface IAnswerGrader
{
    /// The final answer of a solution text: last \boxed{..}/\fbox{..}, "The answer is ...", GSM8K "#### N", bare final line fallback; null when nothing could be extracted.
    string? ExtractAnswer(string solutionText);

    /// True when predicted is equivalent to gold.
    bool IsEquivalent(string gold, string predicted);

    /// A key such that answers with equal keys count as the same answer in majority/weighted voting (normalized form; numeric values canonicalised, e.g. "0.5", "\frac{1}{2}", "1/2" share a key).
    string AnswerKey(string answer);
}
