using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>An answer after normalization: <see cref="Text"/> keeps single spaces (the parser needs "\cot x"), <see cref="Key"/> has none.</summary>
internal sealed record NormalizedAnswer(string Text, bool HadPercent)
{
    public string Key { get; } = new(Text.Where(c => !char.IsWhiteSpace(c)).ToArray());
}

/// <summary>String normalization in the spirit of PRM800K's grader: removes what never changes the value of a MATH answer.</summary>
internal static partial class LatexNormalizer
{
    private static readonly string[] Spacing = ["\\!", "\\,", "\\;", "\\:", "\\>", "\\qquad", "\\quad", "\\displaystyle", "\\limits"];
    private static readonly string[] SizeCommands = ["\\bigl", "\\bigr", "\\Bigl", "\\Bigr", "\\biggl", "\\biggr", "\\big", "\\Big", "\\bigg", "\\Bigg"];

    // Wrappers whose content is plain text: unwrapped with a space so unit words separate from the number.
    private static readonly string[] TextWrappers = ["\\text", "\\textbf", "\\textit", "\\textnormal", "\\textrm", "\\mbox", "\\mathrm", "\\mathit", "\\operatorname"];
    // Wrappers that only style math.
    private static readonly string[] StyleWrappers = ["\\mathbf", "\\boldsymbol", "\\bm", "\\mathnormal"];

    private static readonly HashSet<string> UnitWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "unit", "units", "sq", "square", "cubic", "cm", "mm", "km", "m", "meter", "meters", "metre", "metres", "centimeter", "centimeters",
        "kilometer", "kilometers", "inch", "inches", "in", "ft", "foot", "feet", "yard", "yards", "mile", "miles", "mph", "hour", "hours",
        "minute", "minutes", "second", "seconds", "sec", "min", "day", "days", "week", "weeks", "month", "months", "year", "years",
        "degree", "degrees", "deg", "radian", "radians", "cent", "cents", "dollar", "dollars", "percent", "percentage", "pct",
        "gram", "grams", "g", "kg", "kilogram", "kilograms", "pound", "pounds", "lb", "lbs", "ounce", "ounces", "oz", "liter", "liters",
        "litre", "litres", "l", "ml", "gallon", "gallons", "people", "students", "times", "ways", "cups", "cup", "pages", "points",
        "apples", "marbles", "books", "coins", "tiles", "eggs", "items", "boxes", "mi", "m2", "cm2", "m²", "cm²", "€", "euros", "euro",
        "km²", "mm²", "m³", "cm³", "£", "¥", "yuan", "usd", "eur", "kmh", "percentage", "pcs",
    };

    /// A unit or currency that may follow a number without changing its value ("cm", "€", "m²").
    public static bool IsUnitWord(string word) => UnitWords.Contains(word.Trim());

    private const string RowBreak = "\u0001";
    private const int MaxFixDepth = 32;

    public static NormalizedAnswer Normalize(string? raw)
    {
        var s = (raw ?? "").Trim();
        var boxed = LatexText.LastCommandArgument(s, "\\boxed", "\\fbox");
        if (boxed is not null) s = boxed;

        s = s.Replace("\r", " ").Replace("\n", " ").Replace("\t", " ");
        // "\\frac{1}{5}" (a doubled backslash, as JSON or Python escaping leaves it) outside a matrix is the command \frac.
        if (!s.Contains("\\begin", StringComparison.Ordinal)) s = DoubledCommandPattern().Replace(s, "\\");
        // Matrix row breaks "\\" must survive the removal of "\ " and "\," below.
        s = s.Replace("\\\\", RowBreak);
        s = s.Replace("\\$", " ").Replace("$", " ").Replace("\\(", " ").Replace("\\)", " ").Replace("\\[", " ").Replace("\\]", " ");
        // Explicit LaTeX thousands separators, before "\!" disappears with the rest of the spacing.
        s = ExplicitThousandsPattern().Replace(s, "");
        s = s.Replace("\\left.", "").Replace("\\right.", "").Replace("\\left", "").Replace("\\right", "");
        foreach (var cmd in SizeCommands) s = RemoveCommand(s, cmd);
        foreach (var sp in Spacing) s = s.Replace(sp, " ");
        s = s.Replace("\\ ", " ").Replace("~", " ");
        s = s.Replace("\\dfrac", "\\frac").Replace("\\tfrac", "\\frac").Replace("\\cfrac", "\\frac");
        s = s.Replace("\\varnothing", "\\emptyset").Replace("\\leqslant", "\\le").Replace("\\geqslant", "\\ge");
        s = s.Replace("\\lvert", "|").Replace("\\rvert", "|").Replace("\\vert", "|").Replace("\\mid", "|");

        s = DegreePattern().Replace(s, "");
        s = s.Replace("°", "");
        var hadPercent = s.Contains('%');
        s = s.Replace("\\%", " ").Replace("%", " ");

        foreach (var w in TextWrappers) s = Unwrap(s, w, " ");
        foreach (var w in StyleWrappers) s = Unwrap(s, w, "");

        s = FixFracsAndRoots(s, 0);
        s = RepeatingDecimalPattern().Replace(s, RepeatingDecimalAsFraction);
        s = CollapseSpaces(s);

        // Unit words after a number: "5.4 cents", "864 inches^2", "30 percent".
        var units = TrailingWordsPattern().Match(s);
        if (units.Success && units.Groups["words"].Captures.All(c => UnitWords.Contains(c.Value.Trim())))
        {
            hadPercent |= units.Groups["words"].Captures.Any(c => c.Value.Trim().StartsWith("perc", StringComparison.OrdinalIgnoreCase) || c.Value.Trim().Equals("pct", StringComparison.OrdinalIgnoreCase));
            s = units.Groups["head"].Value.Trim();
        }

        // "1,000.99€", "12,5€", "1,000.99m²": a unit glued to the number.
        var glued = GluedUnitPattern().Match(s);
        if (glued.Success && UnitWords.Contains(glued.Groups["unit"].Value)) s = glued.Groups["head"].Value;

        if (WholeThousandsPattern().IsMatch(s)) s = s.Replace(",", "");
        // "1 000" (a space as thousands separator) and "4 4/9" (a mixed number written inline).
        if (SpaceThousandsPattern().IsMatch(s)) s = s.Replace(" ", "");
        s = InlineMixedNumberPattern().Replace(s, "$1 \\frac{$2}{$3}");
        // "(11,7)or(7,11)": a word joining bracketed answers, written without spaces.
        s = GluedJoinPattern().Replace(s, ", ");

        // "x \in [a,b]" and "x = 5": the variable name is not part of the answer.
        s = InPrefixPattern().Replace(s, "");

        s = TrimSentenceEnd(s);
        s = ChoicePattern().Replace(s, "$1");
        return new NormalizedAnswer(CollapseSpaces(s.Replace(RowBreak, " \\\\ ")), hadPercent);
    }

    /// A final ".", "," or ";" is sentence punctuation; "1, 2, 3, ..." keeps its ellipsis (an open list is not the list 1, 2, 3).
    public static string TrimSentenceEnd(string s)
    {
        s = s.Trim();
        if (s.EndsWith("...", StringComparison.Ordinal)) return s[..s.TrimEnd('.').Length].TrimEnd() + " \\ldots";
        return s.TrimEnd('.', ',', ';').Trim();
    }

    private static string CollapseSpaces(string s) => SpacesPattern().Replace(s, " ").Trim();

    private static string RemoveCommand(string s, string cmd)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (string.CompareOrdinal(s, i, cmd, 0, cmd.Length) == 0 && (i + cmd.Length >= s.Length || !char.IsLetter(s[i + cmd.Length])))
            {
                i += cmd.Length - 1;
                continue;
            }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// Replaces "\cmd{content}" by content, padded with <paramref name="pad"/>.
    private static string Unwrap(string s, string cmd, string pad)
    {
        for (var guard = 0; guard < 64; guard++)
        {
            var i = IndexOfCommand(s, cmd);
            if (i < 0) return s;
            var j = i + cmd.Length;
            while (j < s.Length && s[j] == ' ') j++;
            if (j >= s.Length || s[j] != '{') { s = s.Remove(i, cmd.Length); continue; }
            var close = LatexText.MatchingBrace(s, j);
            if (close < 0) { s = s.Remove(i, j + 1 - i); continue; }
            s = s[..i] + pad + s.Substring(j + 1, close - j - 1) + pad + s[(close + 1)..];
        }
        return s;
    }

    private static int IndexOfCommand(string s, string cmd)
    {
        var from = 0;
        while (true)
        {
            var i = s.IndexOf(cmd, from, StringComparison.Ordinal);
            if (i < 0) return -1;
            var after = i + cmd.Length;
            if (after >= s.Length || !char.IsLetter(s[after])) return i;
            from = i + 1;
        }
    }

    /// "\frac12" -> "\frac{1}{2}", "\frac 34", "\frac9{19}", "\sqrt3" -> "\sqrt{3}": every argument braced.
    private static string FixFracsAndRoots(string s, int depth)
    {
        // Deeper nesting than any real answer: leave it as is rather than recurse towards a stack overflow.
        if (depth > MaxFixDepth) return s;
        var sb = new StringBuilder(s.Length + 8);
        var i = 0;
        while (i < s.Length)
        {
            var isFrac = string.CompareOrdinal(s, i, "\\frac", 0, 5) == 0 && (i + 5 >= s.Length || !char.IsLetter(s[i + 5]));
            var isSqrt = string.CompareOrdinal(s, i, "\\sqrt", 0, 5) == 0 && (i + 5 >= s.Length || !char.IsLetter(s[i + 5]));
            if (!isFrac && !isSqrt) { sb.Append(s[i++]); continue; }
            sb.Append(isFrac ? "\\frac" : "\\sqrt");
            i += 5;
            if (isSqrt)
            {
                var k = SkipSpaces(s, i);
                if (k < s.Length && s[k] == '[')
                {
                    var close = s.IndexOf(']', k);
                    if (close < 0) continue;
                    sb.Append(s, k, close - k + 1);
                    i = close + 1;
                }
            }
            for (var arg = 0; arg < (isFrac ? 2 : 1); arg++)
            {
                var k = SkipSpaces(s, i);
                if (k >= s.Length) break;
                if (s[k] == '{')
                {
                    var close = LatexText.MatchingBrace(s, k);
                    if (close < 0) break;
                    // Arguments may hold fractions themselves.
                    sb.Append('{').Append(FixFracsAndRoots(s.Substring(k + 1, close - k - 1), depth + 1)).Append('}');
                    i = close + 1;
                }
                else if (s[k] == '\\')
                {
                    var e = k + 1;
                    while (e < s.Length && char.IsLetter(s[e])) e++;
                    sb.Append('{').Append(s, k, e - k).Append('}');
                    i = e;
                }
                else if (char.IsLetterOrDigit(s[k]))
                {
                    sb.Append('{').Append(s[k]).Append('}');
                    i = k + 1;
                }
                else break;
            }
        }
        return sb.ToString();
    }

    /// "0.\overline{3}" -> "\frac{3}{9}", "1.2\overline{34}" -> "\frac{1222}{990}": a repeating decimal is a fraction.
    private static string RepeatingDecimalAsFraction(Match m)
    {
        var whole = m.Groups["int"].Value;
        var fixedPart = m.Groups["fix"].Value;
        var repeat = m.Groups["rep"].Value;
        if (whole.Length + fixedPart.Length + repeat.Length > 15) return m.Value;
        var all = System.Numerics.BigInteger.Parse((whole.Length == 0 ? "0" : whole) + fixedPart + repeat);
        var head = System.Numerics.BigInteger.Parse((whole.Length == 0 ? "0" : whole) + fixedPart);
        var numerator = all - head;
        var denominator = System.Numerics.BigInteger.Parse(new string('9', repeat.Length) + new string('0', fixedPart.Length));
        return $"\\frac{{{numerator}}}{{{denominator}}}";
    }

    private static int SkipSpaces(string s, int i)
    {
        while (i < s.Length && s[i] == ' ') i++;
        return i;
    }

    [GeneratedRegex(@"(?<=\d)\s*(?:\{,\}|\{\s*,\s*\}|,\\!|,\s*\\!)\s*(?=\d{3})")]
    private static partial Regex ExplicitThousandsPattern();

    [GeneratedRegex(@"\^\s*\{?\s*\\circ\s*\}?|\\circ|\\degree")]
    private static partial Regex DegreePattern();

    [GeneratedRegex(@"^(?<head>.*[\d}).]\s*(?:\^\s*\{?\d\}?)?)(?:\s+(?<words>[a-zA-Z€²]+)\.?(?:\s*\^\s*\{?\d\}?)?)+$")]
    private static partial Regex TrailingWordsPattern();

    [GeneratedRegex(@"(?<int>\d*)\.(?<fix>\d*)\s*\\overline\{(?<rep>\d+)\}")]
    private static partial Regex RepeatingDecimalPattern();

    [GeneratedRegex(@"^-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$")]
    private static partial Regex WholeThousandsPattern();

    [GeneratedRegex(@"\\\\(?=[a-zA-Z])")]
    private static partial Regex DoubledCommandPattern();

    [GeneratedRegex(@"^(?<head>-?\d[\d,]*(?:\.\d+)?)\s*(?<unit>[a-zA-Z€£¥²³]+)$")]
    private static partial Regex GluedUnitPattern();

    [GeneratedRegex(@"^-?\d{1,3}(?: \d{3})+(?:\.\d+)?$")]
    private static partial Regex SpaceThousandsPattern();

    [GeneratedRegex(@"^(\d+) (\d+)/(\d+)$")]
    private static partial Regex InlineMixedNumberPattern();

    [GeneratedRegex(@"(?<=[)\]])\s*(?:or|and)\s*(?=[(\[])")]
    private static partial Regex GluedJoinPattern();

    [GeneratedRegex(@"^[a-zA-Z]\s*\\in\s*")]
    private static partial Regex InPrefixPattern();

    [GeneratedRegex(@"^\(([A-Ea-e])\)$")]
    private static partial Regex ChoicePattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpacesPattern();
}
