using System.Globalization;
using System.Text;

namespace Pipeline.Inference.Templates;

/// <summary>jinja2 3.1's lexer with the settings transformers uses (trim_blocks, lstrip_blocks, default delimiters,
/// keep_trailing_newline off), rebuilt by hand from its regular expressions so whitespace comes out byte-identical:
/// <c>{%- -%}</c> strip all whitespace, <c>{%+</c> keeps it, a block or comment end eats one newline, a block or
/// comment tag alone on its line loses its indentation.</summary>
internal static class TemplateLexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];

    /// <summary>What jinja2 does to the source first: all newlines become "\n" and one trailing newline goes.</summary>
    public static string Normalize(string source)
    {
        var text = source.Contains('\r') ? source.Replace("\r\n", "\n").Replace('\r', '\n') : source;
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    public static List<Token> Tokenize(string src, SourceMap map)
    {
        var tokens = new List<Token>();
        var pos = 0;
        var lineStarting = true;
        var n = src.Length;
        while (pos < n)
        {
            var tagAt = FindTagStart(src, pos);
            if (tagAt < 0)
            {
                tokens.Add(new Token(TokenKind.Data, src[pos..], null, pos));
                break;
            }
            var kind = src[tagAt + 1];
            var after = tagAt + 2;
            var sign = after < n && (src[after] == '-' || src[after] == '+') ? src[after] : '\0';
            var rawEnd = kind == '%' ? MatchRawBegin(src, after) : -1;

            var text = src[pos..tagAt];
            if (sign == '-') text = PyText.RStrip(text);
            else if (sign != '+' && kind != '{') text = LStripBlock(text, lineStarting);
            if (text.Length > 0) tokens.Add(new Token(TokenKind.Data, text, null, pos));

            if (rawEnd >= 0)
            {
                lineStarting = src[rawEnd - 1] == '\n';
                pos = LexRaw(src, rawEnd, tagAt, lineStarting, tokens, map, out lineStarting);
                continue;
            }
            var bodyStart = after + (sign != '\0' ? 1 : 0);
            switch (kind)
            {
                case '#':
                    pos = SkipComment(src, bodyStart, tagAt, map);
                    lineStarting = src[pos - 1] == '\n';
                    break;
                case '%':
                    tokens.Add(new Token(TokenKind.BlockBegin, "{%", null, tagAt));
                    pos = LexTag(src, bodyStart, block: true, tokens, map, out lineStarting);
                    break;
                default:
                    tokens.Add(new Token(TokenKind.VariableBegin, "{{", null, tagAt));
                    pos = LexTag(src, bodyStart, block: false, tokens, map, out lineStarting);
                    break;
            }
        }
        tokens.Add(new Token(TokenKind.Eof, "", null, n));
        return tokens;
    }

    private static int FindTagStart(string src, int from)
    {
        for (var i = src.IndexOf('{', from); i >= 0 && i + 1 < src.Length; i = src.IndexOf('{', i + 1))
        {
            var c = src[i + 1];
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /// <summary>lstrip_blocks: the text between the last newline (or the start, when the previous match ended a
    /// line) and the tag goes when it is all whitespace.</summary>
    private static string LStripBlock(string text, bool lineStarting)
    {
        var lPos = text.LastIndexOf('\n') + 1;
        if (lPos == 0 && !lineStarting) return text;
        if (lPos == text.Length) return text;
        for (var i = lPos; i < text.Length; i++)
            if (!PyText.IsSpace(text[i])) return text;
        return text[..lPos];
    }

    /// <summary><c>{%(-|+|)\s*raw\s*(?:-%}\s*|%})</c> at the block start; the end of the match, or -1.</summary>
    private static int MatchRawBegin(string src, int after)
    {
        var i = after;
        if (i < src.Length && (src[i] == '-' || src[i] == '+')) i++;
        i = SkipSpace(src, i);
        if (string.CompareOrdinal(src, i, "raw", 0, 3) != 0) return -1;
        i = SkipSpace(src, i + 3);
        if (string.CompareOrdinal(src, i, "-%}", 0, 3) == 0) return SkipSpace(src, i + 3);
        if (string.CompareOrdinal(src, i, "%}", 0, 2) == 0) return i + 2;
        return -1;
    }

    private static int LexRaw(string src, int start, int tagAt, bool lineStarting, List<Token> tokens, SourceMap map, out bool nextLineStarting)
    {
        for (var k = src.IndexOf("{%", start, StringComparison.Ordinal); k >= 0; k = src.IndexOf("{%", k + 1, StringComparison.Ordinal))
        {
            var i = k + 2;
            var sign = i < src.Length && (src[i] == '-' || src[i] == '+') ? src[i] : '\0';
            if (sign != '\0') i++;
            i = SkipSpace(src, i);
            if (string.CompareOrdinal(src, i, "endraw", 0, 6) != 0) continue;
            i = SkipSpace(src, i + 6);
            var end = MatchBlockEnd(src, i);
            if (end < 0) continue;
            var text = src[start..k];
            if (sign == '-') text = PyText.RStrip(text);
            else if (sign != '+') text = LStripBlock(text, lineStarting);
            if (text.Length > 0) tokens.Add(new Token(TokenKind.Data, text, null, start));
            nextLineStarting = src[end - 1] == '\n';
            return end;
        }
        throw map.Error(tagAt, "Missing end of raw directive");
    }

    private static int SkipComment(string src, int start, int tagAt, SourceMap map)
    {
        var j = src.IndexOf("#}", start, StringComparison.Ordinal);
        if (j >= 0)
        {
            if (j > start && src[j - 1] == '+') return j + 2;
            if (j > start && src[j - 1] == '-') return SkipSpace(src, j + 2);
            return j + 2 < src.Length && src[j + 2] == '\n' ? j + 3 : j + 2;
        }
        throw map.Error(tagAt, "Missing end of comment tag");
    }

    /// <summary><c>\+%}|-%}\s*|%}\n?</c> (trim_blocks); the end of the match, or -1.</summary>
    private static int MatchBlockEnd(string src, int i)
    {
        if (string.CompareOrdinal(src, i, "+%}", 0, 3) == 0) return i + 3;
        if (string.CompareOrdinal(src, i, "-%}", 0, 3) == 0) return SkipSpace(src, i + 3);
        if (string.CompareOrdinal(src, i, "%}", 0, 2) == 0) return i + 2 < src.Length && src[i + 2] == '\n' ? i + 3 : i + 2;
        return -1;
    }

    private static int MatchVariableEnd(string src, int i)
    {
        if (string.CompareOrdinal(src, i, "-}}", 0, 3) == 0) return SkipSpace(src, i + 3);
        if (string.CompareOrdinal(src, i, "}}", 0, 2) == 0) return i + 2;
        return -1;
    }

    private static int SkipSpace(string src, int i)
    {
        while (i < src.Length && PyText.IsSpace(src[i])) i++;
        return i;
    }

    private static int LexTag(string src, int pos, bool block, List<Token> tokens, SourceMap map, out bool lineStarting)
    {
        var balance = new Stack<char>();
        var n = src.Length;
        lineStarting = false;
        while (pos < n)
        {
            if (balance.Count == 0)
            {
                var end = block ? MatchBlockEnd(src, pos) : MatchVariableEnd(src, pos);
                if (end >= 0)
                {
                    tokens.Add(new Token(block ? TokenKind.BlockEnd : TokenKind.VariableEnd, src[pos..end], null, pos));
                    lineStarting = src[end - 1] == '\n';
                    return end;
                }
            }
            var c = src[pos];
            if (PyText.IsSpace(c))
            {
                var s = SkipSpace(src, pos);
                lineStarting = src[s - 1] == '\n';
                pos = s;
                continue;
            }
            int stop;
            if ((stop = MatchFloat(src, pos)) > 0)
            {
                var lexeme = src[pos..stop];
                tokens.Add(new Token(TokenKind.Float, lexeme, double.Parse(lexeme.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture), pos));
            }
            else if ((stop = MatchInteger(src, pos)) > 0)
            {
                var lexeme = src[pos..stop];
                tokens.Add(new Token(TokenKind.Integer, lexeme, ParseInteger(lexeme, pos, map), pos));
            }
            else if ((stop = MatchName(src, pos)) > 0)
                tokens.Add(new Token(TokenKind.Name, src[pos..stop], null, pos));
            else if ((stop = MatchString(src, pos)) > 0)
                tokens.Add(new Token(TokenKind.String, src[pos..stop], Unescape(src, pos + 1, stop - 1, map), pos));
            else if ((stop = MatchOperator(src, pos)) > 0)
            {
                var op = src[pos..stop];
                switch (op)
                {
                    case "{": balance.Push('}'); break;
                    case "(": balance.Push(')'); break;
                    case "[": balance.Push(']'); break;
                    case "}" or ")" or "]":
                        if (balance.Count == 0) throw map.Error(pos, $"unexpected '{op}'");
                        var expected = balance.Pop();
                        if (expected != op[0]) throw map.Error(pos, $"unexpected '{op}', expected '{expected}'");
                        break;
                }
                tokens.Add(new Token(TokenKind.Operator, op, null, pos));
            }
            else throw map.Error(pos, $"unexpected char {PyRepr.Str(c.ToString())} at {pos}");
            lineStarting = src[stop - 1] == '\n';
            pos = stop;
        }
        return pos;
    }

    private static int Digits(string src, int i)
    {
        // (\d+_)*\d+
        if (i >= src.Length || !char.IsAsciiDigit(src[i])) return -1;
        while (true)
        {
            while (i < src.Length && char.IsAsciiDigit(src[i])) i++;
            if (i + 1 < src.Length && src[i] == '_' && char.IsAsciiDigit(src[i + 1])) { i++; continue; }
            return i;
        }
    }

    private static int MatchFloat(string src, int pos)
    {
        if (pos > 0 && src[pos - 1] == '.') return -1;
        var i = Digits(src, pos);
        if (i < 0) return -1;
        // (\.D)? e[+-]? D
        var j = i;
        if (j < src.Length && src[j] == '.')
        {
            var f = Digits(src, j + 1);
            if (f > 0) j = f;
        }
        if (j < src.Length && (src[j] == 'e' || src[j] == 'E'))
        {
            var k = j + 1;
            if (k < src.Length && (src[k] == '+' || src[k] == '-')) k++;
            var e = Digits(src, k);
            if (e > 0) return e;
        }
        // \.D
        if (i < src.Length && src[i] == '.')
        {
            var f = Digits(src, i + 1);
            if (f > 0) return f;
        }
        return -1;
    }

    private static int MatchInteger(string src, int pos)
    {
        if (pos >= src.Length || !char.IsAsciiDigit(src[pos])) return -1;
        if (src[pos] == '0' && pos + 1 < src.Length)
        {
            var p = char.ToLowerInvariant(src[pos + 1]);
            Func<char, bool>? digit = p switch
            {
                'b' => ch => ch is '0' or '1',
                'o' => ch => ch is >= '0' and <= '7',
                'x' => char.IsAsciiHexDigit,
                _ => null,
            };
            if (digit is not null)
            {
                var i = pos + 2;
                var any = false;
                while (true)
                {
                    var k = i < src.Length && src[i] == '_' ? i + 1 : i;
                    if (k < src.Length && digit(src[k])) { i = k + 1; any = true; }
                    else break;
                }
                if (any) return i;
            }
        }
        if (src[pos] == '0')
        {
            var i = pos + 1;
            while (true)
            {
                var k = i < src.Length && src[i] == '_' ? i + 1 : i;
                if (k < src.Length && src[k] == '0') i = k + 1;
                else return i;
            }
        }
        var j = pos + 1;
        while (true)
        {
            var k = j < src.Length && src[j] == '_' ? j + 1 : j;
            if (k < src.Length && char.IsAsciiDigit(src[k])) j = k + 1;
            else return j;
        }
    }

    private static long ParseInteger(string lexeme, int pos, SourceMap map)
    {
        var digits = lexeme.Replace("_", "");
        try
        {
            if (digits.Length > 1 && digits[0] == '0')
            {
                var radix = char.ToLowerInvariant(digits[1]) switch { 'b' => 2, 'o' => 8, 'x' => 16, _ => 10 };
                if (radix != 10) return Convert.ToInt64(digits[2..], radix);
            }
            return long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            throw map.Error(pos, $"integer literal {lexeme} is out of the supported range (64-bit)");
        }
    }

    private static int MatchName(string src, int pos)
    {
        var c = src[pos];
        if (!(c == '_' || char.IsLetter(c))) return -1;
        var i = pos + 1;
        while (i < src.Length)
        {
            var d = src[i];
            var cat = char.GetUnicodeCategory(d);
            if (d == '_' || char.IsLetterOrDigit(d) || cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation)
                i++;
            else break;
        }
        return i;
    }

    private static int MatchString(string src, int pos)
    {
        var quote = src[pos];
        if (quote != '\'' && quote != '"') return -1;
        for (var i = pos + 1; i < src.Length; i++)
        {
            if (src[i] == '\\') { i++; continue; }
            if (src[i] == quote) return i + 1;
        }
        return -1;
    }

    private static int MatchOperator(string src, int pos)
    {
        foreach (var op in Operators)
            if (string.CompareOrdinal(src, pos, op, 0, op.Length) == 0) return pos + op.Length;
        return -1;
    }

    /// <summary>Python's <c>.encode("ascii", "backslashreplace").decode("unicode-escape")</c>, which is how jinja2
    /// decodes string literals (a backslash before a non-ASCII character therefore yields "\xe9"-style text).</summary>
    private static string Unescape(string src, int start, int end, SourceMap map)
    {
        if (src.IndexOf('\\', start, end - start) < 0) return src[start..end];
        var sb = new StringBuilder(end - start);
        var i = start;
        while (i < end)
        {
            var c = src[i];
            if (c != '\\') { sb.Append(c); i++; continue; }
            var escPos = i;
            i++;
            var e = src[i];
            if (e > 0x7f)
            {
                // The non-ASCII character was turned into \xNN / \uNNNN / \UNNNNNNNN before decoding.
                var cp = char.ConvertToUtf32(src, i);
                sb.Append('\\').Append(cp < 0x100 ? $"x{cp:x2}" : cp < 0x10000 ? $"u{cp:x4}" : $"U{cp:x8}");
                i += char.IsSurrogatePair(src, i) ? 2 : 1;
                continue;
            }
            i++;
            switch (e)
            {
                case '\n': break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case >= '0' and <= '7':
                {
                    var value = e - '0';
                    for (var k = 0; k < 2 && i < end && src[i] is >= '0' and <= '7'; k++, i++) value = value * 8 + (src[i] - '0');
                    sb.Append((char)value);
                    break;
                }
                case 'x' or 'u' or 'U':
                {
                    var count = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + count > end || !AllHex(src, i, count))
                        throw map.Error(escPos, $"truncated \\{e}{new string('X', count)} escape");
                    var cp = Convert.ToInt32(src.Substring(i, count), 16);
                    if (cp > 0x10FFFF) throw map.Error(escPos, "illegal Unicode character");
                    sb.Append(cp >= 0xD800 && cp <= 0xDFFF ? ((char)cp).ToString() : char.ConvertFromUtf32(cp));
                    i += count;
                    break;
                }
                case 'N':
                    throw map.Error(escPos, "\\N{...} escapes in string literals are not supported");
                default:
                    sb.Append('\\').Append(e);
                    break;
            }
        }
        return sb.ToString();
    }

    private static bool AllHex(string s, int start, int count)
    {
        for (var i = start; i < start + count; i++)
            if (!char.IsAsciiHexDigit(s[i])) return false;
        return true;
    }
}
