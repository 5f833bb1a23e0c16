using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>Finds the final answer in a solution text.</summary>
/// <remarks>
/// Order of preference: last \boxed{..}/\fbox{..} (nested braces), last "The (final) answer is ...",
/// GSM8K's last "#### N", then a bare final line. Returns null when none applies, so callers can
/// count unextractable solutions instead of grading an empty string.
/// </remarks>
public static partial class AnswerExtractor
{
    // Longer than any sane final line: beyond this the last line is prose, not an answer.
    private const int MaxBareLineLength = 80;

    public static string? Extract(string? solutionText)
    {
        if (string.IsNullOrWhiteSpace(solutionText)) return null;
        var text = solutionText;

        var boxed = LatexText.LastCommandArgument(text, "\\boxed", "\\fbox");
        if (boxed is not null && boxed.Trim().Length > 0) return boxed.Trim();

        // "Final Answer: The final answer is $x$": matches do not overlap, so the last one is the innermost phrase.
        var said = AnswerIsPattern().Matches(text);
        if (said.Count > 0)
        {
            var phrase = said[^1];
            var end = phrase.Index + phrase.Length;
            var nl = text.IndexOf('\n', end);
            var answer = CleanSentence(nl >= 0 ? text[end..nl] : text[end..]);
            if (answer.Length > 0) return answer;
        }

        var hash = text.LastIndexOf("####", StringComparison.Ordinal);
        if (hash >= 0)
        {
            var rest = text[(hash + 4)..];
            var nl = rest.IndexOf('\n');
            var answer = (nl >= 0 ? rest[..nl] : rest).Trim();
            if (answer.Length > 0) return answer;
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0) return null;
        var last = CleanSentence(lines[^1]);
        if (last.Length == 0 || last.Length > MaxBareLineLength || LooksLikeProse(last)) return null;
        return last;
    }

    /// Strips math delimiters, a trailing period and the "I hope it is correct." tail from a sentence fragment.
    private static string CleanSentence(string s)
    {
        s = s.Trim();
        var hope = s.IndexOf("I hope it is correct", StringComparison.OrdinalIgnoreCase);
        if (hope >= 0) s = s[..hope].Trim();
        // Whole fragment in $...$ or \(...\) or \[...\]: keep the math.
        var math = InlineMathPattern().Match(s);
        if (math.Success && math.Index == 0) s = math.Groups["m"].Value.Trim();
        s = s.Trim().TrimEnd('.', ' ').Trim();
        if (s.StartsWith('$') && s.EndsWith('$')) s = s.Trim('$').Trim();
        return s;
    }

    // Prose has several words of plain letters; answers rarely do ("12 and 13" passes, "So the total is 18" does not).
    private static bool LooksLikeProse(string s) => ProseWordPattern().Matches(s).Count >= 4;

    [GeneratedRegex(@"final\s+answer\s*(?:is\b|:)\s*:?|the\s+answer\s+is\b\s*:?|\banswer\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerIsPattern();

    [GeneratedRegex(@"^(?:\$\$(?<m>.+?)\$\$|\$(?<m>.+?)\$|\\\((?<m>.+?)\\\)|\\\[(?<m>.+?)\\\])")]
    private static partial Regex InlineMathPattern();

    [GeneratedRegex(@"(?<![\\a-zA-Z])[a-zA-Z]{2,}")]
    private static partial Regex ProseWordPattern();
}
