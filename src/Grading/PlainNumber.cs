using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>
/// The fast path for the commonest comparison (GSM8K: "18" against "18.0" or "1,250"): both sides plain decimal numbers,
/// optionally with thousands commas, compared by value without normalization or parsing. Same verdicts as the full path.
/// </summary>
internal static partial class PlainNumber
{
    private const int MaxLength = 40;

    public static bool TryParse(string text, out double value)
    {
        value = 0;
        var s = text.AsSpan().Trim();
        if (s.Length == 0 || s.Length > MaxLength) return false;
        if (PlainPattern().IsMatch(s))
            return double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
        if (ThousandsPattern().IsMatch(s))
            return double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value);
        return false;
    }

    [GeneratedRegex(@"^-?(?:\d+(?:\.\d+)?|\.\d+)$")]
    private static partial Regex PlainPattern();

    [GeneratedRegex(@"^-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$")]
    private static partial Regex ThousandsPattern();
}
