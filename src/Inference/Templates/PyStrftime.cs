using System.Globalization;
using System.Text;

namespace Pipeline.Inference.Templates;

/// <summary>Python's datetime.strftime on a naive local time, as glibc formats it in the C locale (what
/// <c>strftime_now</c> returns under transformers on Linux). %z and %Z are empty for a naive time.</summary>
internal static class PyStrftime
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static string Format(DateTime t, string format)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var pad = '\0';
            var c = format[++i];
            if (c is '-' or '_' or '0' && i + 1 < format.Length)
            {
                pad = c;
                c = format[++i];
            }
            sb.Append(Directive(t, c, pad));
        }
        return sb.ToString();
    }

    private static string Num(long value, int width, char defaultPad, char pad)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        var fill = pad switch { '-' => '\0', '_' => ' ', '0' => '0', _ => defaultPad };
        return fill == '\0' ? text : text.PadLeft(width, fill);
    }

    private static int WeekNumber(DateTime t, DayOfWeek first)
    {
        var offset = ((int)t.DayOfWeek - (int)first + 7) % 7;
        return (t.DayOfYear - 1 - offset + 7) / 7;
    }

    private static string Directive(DateTime t, char c, char pad) => c switch
    {
        'a' => Days[(int)t.DayOfWeek][..3],
        'A' => Days[(int)t.DayOfWeek],
        'b' or 'h' => Months[t.Month - 1][..3],
        'B' => Months[t.Month - 1],
        'c' => Format(t, "%a %b %e %H:%M:%S %Y"),
        'C' => Num(t.Year / 100, 2, '0', pad),
        'd' => Num(t.Day, 2, '0', pad),
        'D' => Format(t, "%m/%d/%y"),
        'e' => Num(t.Day, 2, ' ', pad),
        'f' => (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture),
        'F' => Format(t, "%Y-%m-%d"),
        'G' => Num(ISOWeek.GetYear(t), 4, '0', pad),
        'g' => Num(ISOWeek.GetYear(t) % 100, 2, '0', pad),
        'H' => Num(t.Hour, 2, '0', pad),
        'I' => Num(t.Hour % 12 == 0 ? 12 : t.Hour % 12, 2, '0', pad),
        'j' => Num(t.DayOfYear, 3, '0', pad),
        'k' => Num(t.Hour, 2, ' ', pad),
        'l' => Num(t.Hour % 12 == 0 ? 12 : t.Hour % 12, 2, ' ', pad),
        'm' => Num(t.Month, 2, '0', pad),
        'M' => Num(t.Minute, 2, '0', pad),
        'n' => "\n",
        'p' => t.Hour < 12 ? "AM" : "PM",
        'P' => t.Hour < 12 ? "am" : "pm",
        'r' => Format(t, "%I:%M:%S %p"),
        'R' => Format(t, "%H:%M"),
        'S' => Num(t.Second, 2, '0', pad),
        't' => "\t",
        'T' => Format(t, "%H:%M:%S"),
        'u' => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
        'U' => Num(WeekNumber(t, DayOfWeek.Sunday), 2, '0', pad),
        'V' => Num(ISOWeek.GetWeekOfYear(t), 2, '0', pad),
        'w' => ((int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
        'W' => Num(WeekNumber(t, DayOfWeek.Monday), 2, '0', pad),
        'x' => Format(t, "%m/%d/%y"),
        'X' => Format(t, "%H:%M:%S"),
        'y' => Num(t.Year % 100, 2, '0', pad),
        'Y' => t.Year.ToString(CultureInfo.InvariantCulture),
        'z' or 'Z' => "",
        '%' => "%",
        _ => throw new TemplateRuntimeError($"strftime directive '%{c}' is not supported"),
    };
}
