using System.Globalization;
using System.Text;

namespace Pipeline.Inference.Templates;

/// <summary>Python's repr() of strings and floats.</summary>
internal static class PyRepr
{
    public static string Str(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2).Append(quote);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == quote || c == '\\') sb.Append('\\').Append(c);
            else if (c == '\t') sb.Append("\\t");
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c < ' ' || c == '\x7f') sb.Append($"\\x{(int)c:x2}");
            else if (c < '\x7f') sb.Append(c);
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                var cp = char.ConvertToUtf32(c, s[i + 1]);
                if (IsPrintable(CharUnicodeInfo.GetUnicodeCategory(cp))) sb.Append(c).Append(s[i + 1]);
                else sb.Append($"\\U{cp:x8}");
                i++;
            }
            else if (!char.IsSurrogate(c) && IsPrintable(char.GetUnicodeCategory(c))) sb.Append(c);
            else if (c <= '\xff') sb.Append($"\\x{(int)c:x2}");
            else sb.Append($"\\u{(int)c:x4}");
        }
        return sb.Append(quote).ToString();
    }

    private static bool IsPrintable(UnicodeCategory category) => category is not (UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
}

/// <summary>float.__repr__: the shortest round-trip digits, fixed notation for 1e-4 &lt;= |x| &lt; 1e16, else
/// "1.5e+20" style.</summary>
internal static class PyFloat
{
    public static string Repr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        // Shortest round-trip digits: "R" gives them, in either notation; take digits and exponent apart.
        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative) shortest = shortest[1..];
        var exponent = 0;
        var ePos = shortest.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exponent = int.Parse(shortest[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            shortest = shortest[..ePos];
        }
        var dot = shortest.IndexOf('.');
        var intPart = dot >= 0 ? shortest[..dot] : shortest;
        var fracPart = dot >= 0 ? shortest[(dot + 1)..] : "";
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        // value = 0.digits * 10^decpt
        var decpt = intPart.Length + exponent - leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        var exp10 = decpt - 1;
        if (exp10 >= -4 && exp10 < 16)
        {
            if (decpt <= 0) sb.Append("0.").Append('0', -decpt).Append(digits);
            else if (decpt >= digits.Length) sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
            else sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(exp10 < 0 ? '-' : '+').Append(Math.Abs(exp10).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
