using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>Finds the final answer in a solution text.</summary>
/// <remarks>
/// <list type="number">
/// <item>The last \boxed{..}/\fbox{..} (nested braces). Boxes that end a solution together ("\boxed{-2} and \boxed{1}") are joined with commas.</item>
/// <item>"The (final) answer is ..." / "Final Answer: ..." when it comes after the last box (a restated answer wins over an earlier box).</item>
/// <item>GSM8K's last "#### N".</item>
/// <item>The bare final line; when that line is a sentence, its last math span or the number after its last "is", else its last number.</item>
/// </list>
/// Returns null when none applies, so callers can count unextractable solutions instead of grading an empty string.
/// </remarks>
public static partial class AnswerExtractor
{
    // Longer than any sane final answer: beyond this the last line is prose, not an answer.
    private const int MaxBareLineLength = 80;

    public static string? Extract(string? solutionText)
    {
        if (string.IsNullOrWhiteSpace(solutionText)) return null;
        var text = solutionText;

        var (boxed, boxedAt) = LastBoxedRun(text);

        // "Final Answer: The final answer is $x$": matches do not overlap, so the last one is the innermost phrase.
        string? said = null;
        var saidAt = -1;
        var phrases = AnswerIsPattern().Matches(text);
        if (phrases.Count > 0)
        {
            var phrase = phrases[^1];
            var end = phrase.Index + phrase.Length;
            var nl = text.IndexOf('\n', end);
            said = CleanFragment(nl >= 0 ? text[end..nl] : text[end..]);
            saidAt = phrase.Index;
            if (said is { Length: 0 } || said?.Contains("\\boxed") == true) said = null;
        }

        if (boxed is not null && (said is null || boxedAt > saidAt)) return boxed;
        if (said is not null) return said;

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
        var last = CleanFragment(lines[^1]);
        // An empty \boxed{} is a failed answer, not a bare line.
        if (last is null || last.Length == 0 || last.Length > MaxBareLineLength || LooksLikeProse(last) || last.Contains("\\boxed")) return null;
        return last;
    }

    /// The last box, joined with the boxes just before it when only connectives separate them.
    private static (string? answer, int at) LastBoxedRun(string text)
    {
        var boxes = LatexText.CommandArguments(text, "\\boxed", "\\fbox");
        if (boxes.Count == 0) return (null, -1);
        var first = boxes.Count - 1;
        while (first > 0 && IsConnective(text[boxes[first - 1].End..boxes[first].Start])) first--;
        var parts = boxes.Skip(first).Select(b => b.Content.Trim()).Where(c => c.Length > 0).ToList();
        return parts.Count == 0 ? (null, -1) : (string.Join(", ", parts), boxes[first].Start);
    }

    private static bool IsConnective(string gap) =>
        gap.Length <= 40 && !gap.Contains('\n') && ConnectivePattern().Replace(gap, "").Length == 0;

    /// A sentence fragment after "the answer is" (or a final line) reduced to its answer; null when nothing answer-like is in it.
    private static string? CleanFragment(string s)
    {
        s = s.Trim();
        var hope = s.IndexOf("I hope it is correct", StringComparison.OrdinalIgnoreCase);
        if (hope >= 0) s = s[..hope].Trim();
        s = StripDelimiters(s);
        if (!LooksLikeProse(s)) return LastSideOfComputation(s);

        // "The largest $n$ is 34": what follows the last "is"/"are"/"=" is the answer.
        var copula = CopulaPattern().Matches(s);
        if (copula.Count > 0)
        {
            var tail = StripDelimiters(s[(copula[^1].Index + copula[^1].Length)..]);
            if (tail.Length > 0 && !LooksLikeProse(tail)) return tail;
        }
        var spans = InlineMathPattern().Matches(s);
        if (spans.Count > 0) return spans[^1].Groups["m"].Value.Trim();
        var numbers = NumberPattern().Matches(s);
        return numbers.Count > 0 ? numbers[^1].Value.TrimEnd(',') : null;
    }

    /// "126-40 = 86" -> "86": a line of arithmetic ends in its result. Anything with a variable ("x = 5", "7 = 11a+c") stays whole.
    private static string LastSideOfComputation(string s)
    {
        var sides = LatexText.SplitTopLevel(s, "=");
        if (sides.Count < 2 || sides.Any(x => x.Trim().Length == 0)) return s;
        // "<=", ">=", "!=" are not equals signs.
        if (sides.Take(sides.Count - 1).Any(x => x.TrimEnd().EndsWith('<') || x.TrimEnd().EndsWith('>') || x.TrimEnd().EndsWith('!'))) return s;
        var computed = sides.All(x => !LetterPattern().IsMatch(CommandPattern().Replace(x, "")));
        return computed ? sides[^1].Trim() : s;
    }

    [GeneratedRegex(@"\\[a-zA-Z]+")]
    private static partial Regex CommandPattern();

    [GeneratedRegex(@"[a-zA-Z]")]
    private static partial Regex LetterPattern();

    /// "$x$." -> "x": one math span around the whole fragment, a trailing period.
    private static string StripDelimiters(string s)
    {
        s = s.Trim().TrimEnd('.', ' ').Trim();
        var math = InlineMathPattern().Match(s);
        if (math.Success && math.Index == 0 && math.Length == s.Length) s = math.Groups["m"].Value.Trim();
        s = s.TrimEnd('.', ' ').Trim();
        if (s.Length > 1 && s.StartsWith('$') && s.EndsWith('$')) s = s.Trim('$').Trim();
        return s;
    }

    // Prose has several words of plain letters; answers rarely do ("12 and 13" passes, "So the total is 18" does not).
    // Environment names and array column specs ("\begin{array}{cc}") are not words.
    private static bool LooksLikeProse(string s) => ProseWordPattern().Matches(EnvironmentPattern().Replace(s, " ")).Count >= 3;

    [GeneratedRegex(@"\\(?:begin|end)\{[^}]*\}(?:\{[lcr|\s]*\})?")]
    private static partial Regex EnvironmentPattern();

    [GeneratedRegex(@"final\s+answer\s*(?:is\b|:)\s*:?|the\s+answer\s+is\b\s*:?|^\W*answer\W*:", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex AnswerIsPattern();

    [GeneratedRegex(@"\$\$(?<m>.+?)\$\$|\$(?<m>.+?)\$|\\\((?<m>.+?)\\\)|\\\[(?<m>.+?)\\\]")]
    private static partial Regex InlineMathPattern();

    [GeneratedRegex(@"(?<![\\a-zA-Z])[a-zA-Z]{2,}")]
    private static partial Regex ProseWordPattern();

    [GeneratedRegex(@"\s(?:is|are|equals|=)\s", RegexOptions.IgnoreCase)]
    private static partial Regex CopulaPattern();

    [GeneratedRegex(@"-?\d[\d,]*(?:\.\d+)?%?|-?\.\d+%?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\\[a-zA-Z]+|[{}$,;\s]|\\[()\[\]]|\band\b")]
    private static partial Regex ConnectivePattern();
}
