using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>Finds the final answer in a solution text.</summary>
/// <remarks>
/// <list type="number">
/// <item>Reasoning inside &lt;think&gt;..&lt;/think&gt; is skipped when the text after it has an answer; chat-template tokens
/// ("&lt;|im_start|&gt;user") end the text.</item>
/// <item>The last \boxed{..}/\fbox{..} (nested braces). Boxes that end a solution together ("\boxed{-2} and \boxed{1}",
/// "\boxed{1}, \boxed{2}") are joined with commas.</item>
/// <item>"The (final) answer is ...", "Final Answer: ...", "Answer $...$" when it comes after the last box; a math span right
/// after the phrase is taken whole (display math may run over several lines, inline math may not).</item>
/// <item>GSM8K's last "#### N".</item>
/// <item>The bare final line (or the display block that ends the text); when that line is a sentence, the number after its
/// last "is"/"=" outside math, else whichever comes last of its last math span and its last plain number.</item>
/// </list>
/// Returns null when none applies, so callers can count unextractable solutions instead of grading an empty string.
/// </remarks>
public static partial class AnswerExtractor
{
    // Longer than any sane final answer: beyond this the last line is prose, not an answer.
    private const int MaxBareLineLength = 80;
    // LaTeX is longer for the same content: a matrix or a sum of two fills a line.
    private const int MaxBareLatexLength = 400;
    private const int MaxBoxGapLength = 60;
    private const int MaxBoxGapWords = 4;

    private static readonly string[] ChatTokens = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end|>"];

    // Words that may stand in an answer line without making it a sentence.
    private static readonly HashSet<string> MathWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "exp", "sqrt", "mod", "pmod", "gcd", "lcm", "max", "min",
        "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "infty", "pi",
    };

    public static string? Extract(string? solutionText)
    {
        if (string.IsNullOrWhiteSpace(solutionText)) return null;
        var text = CutChatTokens(solutionText);

        // "<think> ... </think> answer": the reasoning may box drafts; what follows it is the answer, when it has one.
        var thinkEnd = text.LastIndexOf("</think>", StringComparison.Ordinal);
        if (thinkEnd >= 0)
        {
            var tail = text[(thinkEnd + "</think>".Length)..];
            // A closing remark ("I am done.") is no answer; the reasoning's own answer then counts.
            if (tail.Any(c => char.IsAsciiDigit(c) || c is '\\' or '$') && ExtractFrom(tail) is { } after) return after;
            text = text.Replace("<think>", " ").Replace("</think>", " ");
        }
        else text = text.Replace("<think>", " ");
        return ExtractFrom(text);
    }

    private static string CutChatTokens(string text)
    {
        var cut = text.Length;
        foreach (var token in ChatTokens)
        {
            var i = text.IndexOf(token, StringComparison.Ordinal);
            if (i > 0 && i < cut && text[..i].Trim().Length > 0) cut = i;
        }
        return text[..cut];
    }

    private static string? ExtractFrom(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var (boxed, boxedAt) = LastBoxedRun(text);

        var (said, saidAt) = AnswerPhrase(text);
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
        var lastLine = lines[^1];
        // A display block closing the text ("\[\n x = 5 \n\]"): its content is the final line.
        if (lastLine is "\\]" or "$$" && DisplayMathPattern().Matches(text) is { Count: > 0 } blocks
            && text.TrimEnd().EndsWith(blocks[^1].Value, StringComparison.Ordinal))
            lastLine = blocks[^1].Groups["m"].Value.Replace('\n', ' ').Trim();
        var last = CleanFragment(lastLine);
        // An empty \boxed{} is a failed answer, not a bare line.
        if (last is null || last.Length == 0 || last.Length > (last.Contains('\\') ? MaxBareLatexLength : MaxBareLineLength) || (LooksLikeProse(last) && !WholeTextPattern().IsMatch(last)) || last.Contains("\\boxed")) return null;
        return last;
    }

    /// The last "the final answer is" / "Final Answer:" / "Answer $..$" phrase and what it announces.
    private static (string? said, int at) AnswerPhrase(string text)
    {
        // "Final Answer: The final answer is $x$": matches do not overlap, so the last one is the innermost phrase.
        var phrases = AnswerIsPattern().Matches(text);
        if (phrases.Count == 0) return (null, -1);
        var phrase = phrases[^1];
        var end = phrase.Index + phrase.Length;
        string? said;
        var span = MathSpanAt(text, end);
        if (span.found)
        {
            if (span.content is null) return (null, -1);
            said = LastSideOfComputation(StripDelimiters(span.content));
            var rest = text[span.end..];
            var nl = rest.IndexOf('\n');
            // "$x = 5$ cm" / "$28$ %": words after the span on its line belong to the answer only as units; keep the span.
            if (nl != 0 && PercentAfterPattern().IsMatch(nl >= 0 ? rest[..nl] : rest)) said += "\\%";
        }
        else
        {
            var nl = text.IndexOf('\n', end);
            said = CleanFragment(nl >= 0 ? text[end..nl] : text[end..]);
        }
        if (said is { Length: 0 } || said?.Contains("\\boxed") == true) said = null;
        return (said, phrase.Index);
    }

    /// A math span starting at <paramref name="from"/> (after blanks): display math ($$, \[) may cross lines, inline ($, \() may not.
    /// found without content: a span that opens there but is not well formed (an inline span broken by a line end).
    private static (bool found, string? content, int end) MathSpanAt(string text, int from)
    {
        var i = from;
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        if (i >= text.Length) return (false, null, from);
        (string open, string close, bool display)? kind =
            string.CompareOrdinal(text, i, "$$", 0, 2) == 0 ? ("$$", "$$", true)
            : string.CompareOrdinal(text, i, "\\[", 0, 2) == 0 ? ("\\[", "\\]", true)
            : string.CompareOrdinal(text, i, "\\(", 0, 2) == 0 ? ("\\(", "\\)", false)
            : text[i] == '$' ? ("$", "$", false) : null;
        if (kind is not { } k) return (false, null, from);
        var start = i + k.open.Length;
        var close = IndexOfUnescaped(text, k.close, start);
        if (close < 0) return (true, null, from);
        var content = text[start..close];
        if (!k.display && content.Contains('\n')) return (true, null, from);
        return (true, content.Replace('\n', ' ').Trim(), close + k.close.Length);
    }

    /// Index of <paramref name="close"/> at or after <paramref name="from"/>, skipping "\$" (an escaped dollar is not a delimiter).
    private static int IndexOfUnescaped(string s, string close, int from)
    {
        for (var i = from; i <= s.Length - close.Length; i++)
        {
            if (close == "$" && s[i] == '\\' && i + 1 < s.Length && s[i + 1] == '$') { i++; continue; }
            if (string.CompareOrdinal(s, i, close, 0, close.Length) == 0) return i;
        }
        return -1;
    }

    /// The last box, joined with the boxes just before it when only connectives separate them.
    private static (string? answer, int at) LastBoxedRun(string text)
    {
        var boxes = LatexText.CommandArguments(text, "\\boxed", "\\fbox");
        if (boxes.Count == 0) return (null, -1);
        var first = boxes.Count - 1;
        while (first > 0 && JoinsBoxes(text[boxes[first - 1].End..boxes[first].Start])) first--;
        var parts = boxes.Skip(first).Select(b => b.Content.Trim()).Where(c => c.Length > 0).ToList();
        return parts.Count == 0 ? (null, -1) : (string.Join(", ", parts), boxes[first].Start);
    }

    /// Boxes are one answer when nothing stands between them ("\boxed{1}\boxed{2}"), or a comma or "and" with at most a few
    /// words ("\boxed{1} papers and \boxed{2} bins", "\boxed{(3,3)} \text{ for part (a) and } \boxed{(1,1)}").
    /// "or" means alternatives (the last box wins); a sentence end or a bare change of math block ("$$\boxed{20}$$ \boxed{143}")
    /// means a new answer.
    private static bool JoinsBoxes(string gap)
    {
        if (gap.Length > MaxBoxGapLength || gap.Contains('\n')) return false;
        var plain = GapMarkupPattern().Replace(gap, " ");
        if (plain.Contains('.') || OrWordPattern().IsMatch(plain)) return false;
        var words = WordPattern().Matches(plain).Select(m => m.Value).ToList();
        var and = words.Any(w => w.Equals("and", StringComparison.OrdinalIgnoreCase));
        var others = words.Count(w => !w.Equals("and", StringComparison.OrdinalIgnoreCase));
        // A comma or \quad joins only bare boxes; "and" may come with a few words ("papers and").
        if (and) return others <= MaxBoxGapWords;
        if (plain.Contains(',') || plain.Contains(';') || gap.Contains("\\quad")) return others == 0;
        return plain.Trim().Length == 0 && !MathDelimiterPattern().IsMatch(gap);
    }

    /// A sentence fragment after "the answer is" (or a final line) reduced to its answer; null when nothing answer-like is in it.
    private static string? CleanFragment(string s)
    {
        s = s.Trim().Trim('"', '“', '”').Trim();
        var hope = s.IndexOf("I hope it is correct", StringComparison.OrdinalIgnoreCase);
        if (hope >= 0) s = s[..hope].Trim();
        s = StripDelimiters(s.TrimEnd('.', ' ').Replace("\\\"", "\"").Trim('"', '“', '”', ' '));
        // "$\text{The midpoints form a regular hexagon}$": a text answer, however many words it has.
        if (WholeTextPattern().IsMatch(s)) return s;
        if (!IsSentence(s)) return LastSideOfComputation(s);

        var spans = InlineMathPattern().Matches(s);
        // Spans are ordered and disjoint: the one that could hold an index is the last starting at or before it.
        var starts = spans.Select(m => m.Index).ToArray();
        bool InSpan(int index)
        {
            var k = Array.BinarySearch(starts, index);
            if (k < 0) k = ~k - 1;
            return k >= 0 && index < spans[k].Index + spans[k].Length;
        }

        // "The largest $n$ is 34": what follows the last "is"/"are"/"=" outside math is the answer.
        var copula = CopulaPattern().Matches(s).Where(m => !InSpan(m.Index)).ToList();
        if (copula.Count > 0)
        {
            var tail = StripDelimiters(s[(copula[^1].Index + copula[^1].Length)..]);
            // "$x \geq 5$ is the solution": words after the copula are no answer unless they hold a number or math.
            var holdsValue = tail.Any(c => char.IsAsciiDigit(c) || c is '\\' or '$') || !tail.Contains(' ');
            if (tail.Length > 0 && holdsValue && !IsSentence(tail)) return tail;
        }
        // Otherwise the last thing said: a math span, or a plain number written after it ("... increases by 100%.").
        var number = PlainNumbers(s).Where(m => !InSpan(m.Index)).LastOrDefault();
        var span = spans.Count > 0 ? spans[^1] : null;
        if (span is not null && (number is null || span.Index > number.Index)) return span.Groups["m"].Value.Trim().TrimEnd('.', ',').Trim();
        return number?.Value.TrimEnd(',');
    }

    /// Numbers standing on their own: "AZYUK2A" holds none, "1,000.99m²" and "12,5€" hold one (a unit may follow).
    private static IEnumerable<Match> PlainNumbers(string s) =>
        NumberPattern().Matches(s).Where(m =>
        {
            var before = m.Index > 0 ? s[m.Index - 1] : ' ';
            if (char.IsLetter(before) || before == '_' || before == '^') return false;
            var after = m.Index + m.Length;
            if (after >= s.Length || !char.IsLetter(s[after])) return true;
            var unit = UnitAfterPattern().Match(s, after);
            return unit.Success && unit.Index == after && LatexNormalizer.IsUnitWord(unit.Value);
        });

    /// A sentence, not an answer: several words, or a plain word (not a unit, not math) next to a number or math span.
    private static bool IsSentence(string s)
    {
        if (LooksLikeProse(s)) return true;
        var outside = ScriptPattern().Replace(CommandArgumentPattern().Replace(InlineMathPattern().Replace(s, " "), " "), " ");
        var plainWord = PlainWordPattern().Matches(outside).Any(m => !MathWords.Contains(m.Value) && !LatexNormalizer.IsUnitWord(m.Value));
        return plainWord && (s.Any(char.IsAsciiDigit) || InlineMathPattern().IsMatch(s));
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
        // "1, 2, 3, ..." is an open list: its ellipsis stays.
        if (s.EndsWith("...", StringComparison.Ordinal)) return s;
        s = s.TrimEnd('.', ',', ' ').Trim();
        if (s.Length > 1 && s.StartsWith('$') && s.EndsWith('$')) s = s.Trim('$').Trim();
        return s;
    }

    // Prose has several words of plain letters; answers rarely do ("12 and 13" passes, "So the total is 18" does not).
    // Environment names and array column specs ("\begin{array}{cc}") are not words.
    private static bool LooksLikeProse(string s) => ProseWordPattern().Matches(EnvironmentPattern().Replace(s, " ")).Count >= 3;

    [GeneratedRegex(@"\\(?:begin|end)\{[^}]*\}(?:\{[lcr|\s]*\})?")]
    private static partial Regex EnvironmentPattern();

    [GeneratedRegex(@"final\s+answer\s*(?:is\b|:)\s*:?|the\s+answer\s+is\b\s*:?|^\W*answer\W*:|(?:^|(?<=[.!?]\s))[^\S\n]*answer[^\S\n]*:?(?=\s*(?:\$|\\\(|\\\[))", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex AnswerIsPattern();

    [GeneratedRegex(@"\$\$(?<m>.+?)\$\$|(?<!\\)\$(?<m>.+?)(?<!\\)\$|\\\((?<m>.+?)\\\)|\\\[(?<m>.+?)\\\]")]
    private static partial Regex InlineMathPattern();

    [GeneratedRegex(@"\$\$(?<m>.+?)\$\$|\\\[(?<m>.+?)\\\]", RegexOptions.Singleline)]
    private static partial Regex DisplayMathPattern();

    [GeneratedRegex(@"(?<![\\a-zA-Z])[a-zA-Z]{2,}")]
    private static partial Regex ProseWordPattern();

    [GeneratedRegex(@"(?<![\\a-zA-Z])[a-zA-Z]{3,}")]
    private static partial Regex PlainWordPattern();

    [GeneratedRegex(@"\\[a-zA-Z]+\s*\{[^{}]*\}")]
    private static partial Regex CommandArgumentPattern();

    // Subscripts and superscripts name things ("S_{MBCN}"), they are not words.
    [GeneratedRegex(@"[_^]\s*(?:\{[^{}]*\}|\w)")]
    private static partial Regex ScriptPattern();

    [GeneratedRegex(@"^\\text\s*\{[^{}$]*\}$")]
    private static partial Regex WholeTextPattern();

    [GeneratedRegex(@"\s(?:is|are|equals|=)\s", RegexOptions.IgnoreCase)]
    private static partial Regex CopulaPattern();

    [GeneratedRegex(@"-?\d[\d,]*(?:\.\d+)?(?:\s\d+/\d+|/\d+)?%?|-?\.\d+%?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"[a-zA-Z€²³]+")]
    private static partial Regex UnitAfterPattern();

    [GeneratedRegex(@"^\s*(?:\\%|%|percent|pct)")]
    private static partial Regex PercentAfterPattern();

    [GeneratedRegex(@"\\(?:text|textbf|mbox|mathrm)\s*\{|\\quad|\\qquad|\\[,;:!]|\\[()\[\]]|[{}$]")]
    private static partial Regex GapMarkupPattern();

    [GeneratedRegex(@"\$|\\[()\[\]]")]
    private static partial Regex MathDelimiterPattern();

    [GeneratedRegex(@"\bor\b", RegexOptions.IgnoreCase)]
    private static partial Regex OrWordPattern();

    [GeneratedRegex(@"[a-zA-Z]+")]
    private static partial Regex WordPattern();
}
