namespace Pipeline.Grading;

/// <summary>Brace-aware helpers over LaTeX source text.</summary>
internal static class LatexText
{
    /// Index of the '}' that closes the '{' at <paramref name="open"/>, or -1 when unbalanced. Escaped braces (\{ \}) do not count.
    public static int MatchingBrace(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\') { i++; continue; }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }

    /// The argument of the last occurrence of any of <paramref name="commands"/> (e.g. \boxed), braced or (for "\boxed 5") up to the next space or '$'; null when none.
    public static string? LastCommandArgument(string s, params string[] commands)
    {
        var best = -1;
        string? bestCommand = null;
        foreach (var cmd in commands)
        {
            var from = s.Length;
            while (from > 0)
            {
                var i = s.LastIndexOf(cmd, from - 1, StringComparison.Ordinal);
                if (i < 0) break;
                var after = i + cmd.Length;
                // \boxedfoo is another command, not \boxed.
                if (after < s.Length && char.IsLetter(s[after])) { from = i; continue; }
                if (i > best) { best = i; bestCommand = cmd; }
                break;
            }
        }
        if (bestCommand is null) return null;
        var j = best + bestCommand.Length;
        while (j < s.Length && s[j] == ' ') j++;
        if (j < s.Length && s[j] == '{')
        {
            var close = MatchingBrace(s, j);
            return close < 0 ? s[(j + 1)..] : s.Substring(j + 1, close - j - 1);
        }
        var end = j;
        while (end < s.Length && !char.IsWhiteSpace(s[end]) && s[end] != '$') end++;
        return end > j ? s[j..end] : null;
    }

    /// Every braced argument of any of <paramref name="commands"/>, in text order, with the span it covers (command start to closing brace).
    public static List<(int Start, int End, string Content)> CommandArguments(string s, params string[] commands)
    {
        var found = new List<(int, int, string)>();
        foreach (var cmd in commands)
        {
            var from = 0;
            while (from < s.Length)
            {
                var i = s.IndexOf(cmd, from, StringComparison.Ordinal);
                if (i < 0) break;
                from = i + cmd.Length;
                if (from < s.Length && char.IsLetter(s[from])) continue;
                var j = from;
                while (j < s.Length && s[j] == ' ') j++;
                if (j >= s.Length || s[j] != '{')
                {
                    // "\boxed 5": the argument runs to the next space or '$'.
                    var e = j;
                    while (e < s.Length && !char.IsWhiteSpace(s[e]) && s[e] != '$') e++;
                    if (e > j) found.Add((i, e, s[j..e]));
                    continue;
                }
                var close = MatchingBrace(s, j);
                if (close < 0) { found.Add((i, s.Length, s[(j + 1)..])); break; }
                found.Add((i, close + 1, s.Substring(j + 1, close - j - 1)));
                from = close + 1;
            }
        }
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }

    /// Splits at <paramref name="separator"/> where it is outside every (), [], {} and \{ \} pair.
    public static List<string> SplitTopLevel(string s, string separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length && (s[i + 1] == '{' || s[i + 1] == '}'))
            {
                depth += s[i + 1] == '{' ? 1 : -1;
                i++;
                continue;
            }
            if (depth == 0 && string.CompareOrdinal(s, i, separator, 0, separator.Length) == 0
                && !(separator[0] == '\\' && i + separator.Length < s.Length && char.IsLetter(s[i + separator.Length])))
            {
                parts.Add(s[start..i]);
                i += separator.Length - 1;
                start = i + 1;
                continue;
            }
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
        }
        parts.Add(s[start..]);
        return parts;
    }
}
