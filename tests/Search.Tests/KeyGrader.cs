using Pipeline.Grading;

namespace Pipeline.Search.Tests;

/// <summary>Test grader with obvious rules, so hand-computed expectations do not depend on the real grader's
/// normalisation: keys ignore spaces and case, and "half" means 1/2.</summary>
internal sealed class KeyGrader : IAnswerGrader
{
    public static readonly KeyGrader Instance = new();

    public string? ExtractAnswer(string solutionText) => null;

    public bool IsEquivalent(string gold, string predicted) => AnswerKey(gold) == AnswerKey(predicted);

    public string AnswerKey(string answer)
    {
        var key = answer.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        return key == "half" ? "1/2" : key;
    }
}
