namespace Pipeline.Grading;

/// <summary>Default grader for MATH/GSM8K style answers.</summary>
public sealed class MathAnswerGrader : IAnswerGrader
{
    public static MathAnswerGrader Instance { get; } = new();

    public string? ExtractAnswer(string solutionText)
    {
        if (string.IsNullOrWhiteSpace(solutionText)) return null;
        var i = solutionText.LastIndexOf("\\boxed{", StringComparison.Ordinal);
        if (i >= 0)
        {
            var start = i + "\\boxed{".Length;
            var depth = 1;
            for (var j = start; j < solutionText.Length; j++)
            {
                if (solutionText[j] == '{') depth++;
                else if (solutionText[j] == '}' && --depth == 0) return solutionText[start..j].Trim();
            }
        }
        var h = solutionText.LastIndexOf("####", StringComparison.Ordinal);
        if (h >= 0) return solutionText[(h + 4)..].Trim();
        var lines = solutionText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? null : lines[^1];
    }

    public bool IsEquivalent(string gold, string predicted) => AnswerKey(gold) == AnswerKey(predicted);

    public string AnswerKey(string answer) =>
        new string((answer ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray()).Replace("\\dfrac", "\\frac").TrimEnd('.');
}
