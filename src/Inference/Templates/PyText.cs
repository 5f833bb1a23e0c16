using System.Globalization;
using System.Text;

namespace Pipeline.Inference.Templates;

/// <summary>Python <c>str</c> semantics on .NET strings: whitespace as <c>str.isspace</c>, lengths, indices and
/// slices in code points (not UTF-16 units), and the str methods chat templates call.</summary>
internal static class PyText
{
    public static bool IsSpace(char c) => c switch
    {
        ' ' or '\t' or '\n' or '\v' or '\f' or '\r' => true,
        < '\x1c' => false,
        <= '\x1f' => true,
        < '\x85' => false,
        '\x85' or '\xa0' or '\u1680' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        >= '\u2000' and <= '\u200a' => true,
        _ => false,
    };

    public static string Strip(string s, string? chars) => LStrip(RStrip(s, chars), chars);

    public static string RStrip(string s, string? chars = null)
    {
        var end = s.Length;
        while (end > 0 && Stripped(s[end - 1], chars)) end--;
        return end == s.Length ? s : s[..end];
    }

    public static string LStrip(string s, string? chars = null)
    {
        var start = 0;
        while (start < s.Length && Stripped(s[start], chars)) start++;
        return start == 0 ? s : s[start..];
    }

    private static bool Stripped(char c, string? chars) => chars is null ? IsSpace(c) : chars.Contains(c);

    private static bool HasSurrogates(string s)
    {
        foreach (var c in s)
            if (char.IsSurrogate(c)) return true;
        return false;
    }

    /// <summary>The string as code points, each a string (surrogate pairs kept together).</summary>
    public static List<string> CodePoints(string s)
    {
        var list = new List<string>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                list.Add(s.Substring(i, 2));
                i++;
            }
            else list.Add(s[i].ToString());
        }
        return list;
    }

    public static int Length(string s) => HasSurrogates(s) ? CodePoints(s).Count : s.Length;

    public static string? At(string s, long index)
    {
        if (!HasSurrogates(s))
        {
            if (index < 0) index += s.Length;
            return index >= 0 && index < s.Length ? s[(int)index].ToString() : null;
        }
        var cps = CodePoints(s);
        if (index < 0) index += cps.Count;
        return index >= 0 && index < cps.Count ? cps[(int)index] : null;
    }

    public static string Slice(string s, long? start, long? stop, long? step)
    {
        if (!HasSurrogates(s) && (step ?? 1) == 1)
        {
            var (a, b, _) = PySlice.Indices(s.Length, start, stop, 1);
            return b > a ? s[a..b] : "";
        }
        var cps = CodePoints(s);
        var sb = new StringBuilder();
        foreach (var i in PySlice.Range(cps.Count, start, stop, step)) sb.Append(cps[i]);
        return sb.ToString();
    }

    public static string Reverse(string s)
    {
        var cps = CodePoints(s);
        cps.Reverse();
        return string.Concat(cps);
    }

    /// <summary>Compares by code point as Python does (ordinal UTF-16 order differs above U+D7FF).</summary>
    public static int Compare(string a, string b)
    {
        if (!HasSurrogates(a) && !HasSurrogates(b)) return Math.Sign(string.CompareOrdinal(a, b));
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = NextCodePoint(a, ref i);
            var y = NextCodePoint(b, ref j);
            if (x != y) return x < y ? -1 : 1;
        }
        return (i < a.Length ? 1 : 0) - (j < b.Length ? 1 : 0);
    }

    private static int NextCodePoint(string s, ref int i)
    {
        int cp;
        if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { cp = char.ConvertToUtf32(s[i], s[i + 1]); i += 2; }
        else { cp = s[i]; i++; }
        return cp;
    }

    public static string Upper(string s) => MapCase(s, PyCaseTables.Upper, Rune.ToUpperInvariant);

    public static string Lower(string s)
    {
        var lower = MapCase(s, PyCaseTables.Lower, Rune.ToLowerInvariant);
        return lower.Contains('σ') && s.Contains('Σ') ? FinalSigma(s, lower) : lower;
    }

    private static string MapCase(string s, Dictionary<int, string> full, Func<Rune, Rune> simple)
    {
        var ascii = true;
        foreach (var c in s)
            if (c > '\x7f') { ascii = false; break; }
        if (ascii) return simple == Rune.ToUpperInvariant ? s.ToUpperInvariant() : s.ToLowerInvariant();
        var sb = new StringBuilder(s.Length);
        foreach (var rune in s.EnumerateRunes())
        {
            if (full.TryGetValue(rune.Value, out var mapped)) sb.Append(mapped);
            else sb.Append(simple(rune).ToString());
        }
        return sb.ToString();
    }

    private static string TitleChar(Rune rune) =>
        PyCaseTables.Title.TryGetValue(rune.Value, out var mapped) ? mapped
        : PyCaseTables.Upper.TryGetValue(rune.Value, out var upper) ? upper
        : Rune.ToUpperInvariant(rune).ToString();

    private static string LowerChar(Rune rune) =>
        PyCaseTables.Lower.TryGetValue(rune.Value, out var mapped) ? mapped : Rune.ToLowerInvariant(rune).ToString();

    /// <summary>Python lower-cases a capital sigma at the end of a word to the final form ς.</summary>
    private static string FinalSigma(string source, string lower)
    {
        if (source.Length != lower.Length) return lower;
        var chars = lower.ToCharArray();
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] != 'Σ') continue;
            var before = i > 0 && IsCased(source[i - 1]);
            var after = i + 1 < source.Length && IsCased(source[i + 1]);
            if (before && !after) chars[i] = 'ς';
        }
        return new string(chars);
    }

    /// <summary>str.capitalize: first character title-cased, the rest lower-cased.</summary>
    public static string Capitalize(string s)
    {
        if (s.Length == 0) return s;
        var sb = new StringBuilder(s.Length);
        var first = true;
        foreach (var rune in s.EnumerateRunes())
        {
            sb.Append(first ? TitleChar(rune) : LowerChar(rune));
            first = false;
        }
        return sb.ToString();
    }

    private static bool IsCased(char c) => char.IsUpper(c) || char.IsLower(c) || char.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;

    private static bool IsCased(Rune r) => Rune.IsUpper(r) || Rune.IsLower(r) || Rune.GetUnicodeCategory(r) == UnicodeCategory.TitlecaseLetter;

    /// <summary>str.title: a cased character after an uncased one is title-cased, every other lower-cased.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var rune in s.EnumerateRunes())
        {
            sb.Append(previousCased ? LowerChar(rune) : TitleChar(rune));
            previousCased = IsCased(rune);
        }
        return sb.ToString();
    }

    /// <summary>jinja2's title filter: words start after "-", whitespace, "(", "{", "[" or "&lt;".</summary>
    public static string JinjaTitle(string s)
    {
        var sb = new StringBuilder(s.Length);
        var wordStart = true;
        foreach (var c in s)
        {
            var separator = c is '-' or '(' or '{' or '[' or '<' || IsSpace(c);
            if (separator) { sb.Append(c); wordStart = true; continue; }
            sb.Append(wordStart ? Upper(c.ToString()) : Lower(c.ToString()));
            wordStart = false;
        }
        return sb.ToString();
    }

    public static string Replace(string s, string old, string @new, long count)
    {
        if (count < 0 && old.Length > 0) return s.Replace(old, @new, StringComparison.Ordinal);
        var sb = new StringBuilder();
        var done = 0L;
        if (old.Length == 0)
        {
            var cps = CodePoints(s);
            for (var k = 0; k <= cps.Count; k++)
            {
                if (count < 0 || done < count) { sb.Append(@new); done++; }
                if (k < cps.Count) sb.Append(cps[k]);
            }
            return sb.ToString();
        }
        var i = 0;
        while (count < 0 || done < count)
        {
            var j = s.IndexOf(old, i, StringComparison.Ordinal);
            if (j < 0) break;
            sb.Append(s, i, j - i).Append(@new);
            i = j + old.Length;
            done++;
        }
        return sb.Append(s, i, s.Length - i).ToString();
    }

    /// <summary>str.split(sep=None, maxsplit=-1).</summary>
    public static List<object?> Split(string s, string? sep, long maxSplit)
    {
        var parts = new List<object?>();
        if (sep is null)
        {
            var i = 0;
            while (true)
            {
                while (i < s.Length && IsSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && parts.Count >= maxSplit)
                {
                    parts.Add(s[i..]);
                    break;
                }
                var j = i;
                while (j < s.Length && !IsSpace(s[j])) j++;
                parts.Add(s[i..j]);
                i = j;
            }
            return parts;
        }
        if (sep.Length == 0) throw new TemplateRuntimeError("empty separator");
        var start = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var j = s.IndexOf(sep, start, StringComparison.Ordinal);
            if (j < 0) break;
            parts.Add(s[start..j]);
            start = j + sep.Length;
        }
        parts.Add(s[start..]);
        return parts;
    }

    /// <summary>str.rsplit(sep=None, maxsplit=-1).</summary>
    public static List<object?> RSplit(string s, string? sep, long maxSplit)
    {
        if (maxSplit < 0) return Split(s, sep, maxSplit);
        var parts = new List<object?>();
        if (sep is null)
        {
            var i = s.Length;
            while (true)
            {
                while (i > 0 && IsSpace(s[i - 1])) i--;
                if (i == 0) break;
                if (parts.Count >= maxSplit)
                {
                    parts.Add(s[..i]);
                    break;
                }
                var j = i;
                while (j > 0 && !IsSpace(s[j - 1])) j--;
                parts.Add(s[j..i]);
                i = j;
            }
            parts.Reverse();
            return parts;
        }
        if (sep.Length == 0) throw new TemplateRuntimeError("empty separator");
        var end = s.Length;
        while (parts.Count < maxSplit)
        {
            var j = end - sep.Length < 0 ? -1 : s.LastIndexOf(sep, end - 1, end, StringComparison.Ordinal);
            if (j < 0) break;
            parts.Add(s[(j + sep.Length)..end]);
            end = j;
        }
        parts.Add(s[..end]);
        parts.Reverse();
        return parts;
    }

    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029';

    /// <summary>str.splitlines(keepends=False) with Python's set of line boundaries.</summary>
    public static List<string> SplitLines(string s, bool keepEnds = false)
    {
        var lines = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            var j = i;
            while (j < s.Length && !IsLineBreak(s[j])) j++;
            var eol = j;
            if (j < s.Length) j += s[j] == '\r' && j + 1 < s.Length && s[j + 1] == '\n' ? 2 : 1;
            lines.Add(keepEnds ? s[i..j] : s[i..eol]);
            i = j;
        }
        return lines;
    }
}

/// <summary>Python slice index arithmetic (slice.indices).</summary>
internal static class PySlice
{
    public static (int Start, int Stop, int Step) Indices(int length, long? start, long? stop, long? step)
    {
        var st = step ?? 1;
        if (st == 0) throw new TemplateRuntimeError("slice step cannot be zero");
        long lower = st < 0 ? -1 : 0, upper = st < 0 ? length - 1 : length;
        long Clamp(long? v, long dflt)
        {
            if (v is null) return dflt;
            var x = v.Value;
            if (x < 0) { x += length; if (x < lower) x = lower; }
            else if (x > upper) x = upper;
            return x;
        }
        var a = Clamp(start, st < 0 ? upper : lower);
        var b = Clamp(stop, st < 0 ? lower : upper);
        return ((int)a, (int)b, (int)st);
    }

    public static IEnumerable<int> Range(int length, long? start, long? stop, long? step)
    {
        var (a, b, st) = Indices(length, start, stop, step);
        if (st > 0) for (var i = a; i < b; i += st) yield return i;
        else for (var i = a; i > b; i += st) yield return i;
    }
}
