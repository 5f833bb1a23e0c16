using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>"1,22", "1000,99", "0,111": a comma that cannot be a thousands separator is a decimal comma.</summary>
/// <remarks>
/// A comma separates thousands only after 1-3 digits not starting with 0 and before exactly three digits ("1,250" stays 1250).
/// The reading is offered only for an answer that is one such non-negative number, and only tried against a single number,
/// because in a MATH answer "-2,1" is the list of roots -2 and 1 (MATH500 has that very answer).
/// </remarks>
internal static partial class DecimalComma
{
    public static string? Reading(string normalizedText)
    {
        var m = NumberWithCommaPattern().Match(normalizedText.Trim());
        if (!m.Success) return null;
        var whole = m.Groups["int"].Value;
        var fraction = m.Groups["frac"].Value;
        var couldBeThousands = fraction.Length == 3 && whole.Length <= 3 && whole[0] != '0';
        return couldBeThousands ? null : whole + "." + fraction;
    }

    [GeneratedRegex(@"^(?<int>\d+),(?<frac>\d+)$")]
    private static partial Regex NumberWithCommaPattern();
}
