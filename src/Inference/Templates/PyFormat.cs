using System.Globalization;
using System.Text;

namespace Pipeline.Inference.Templates;

/// <summary>The two Python string formattings templates use: <c>"%s" % args</c> (and the format filter) and
/// <c>"{}".format(...)</c>, for the plain conversions only; anything fancier is an error, never a guess.</summary>
internal static class PyFormat
{
    public static string Printf(string format, object? args)
    {
        var positional = args switch
        {
            object?[] tuple => tuple,
            _ => [args],
        };
        var mapping = args as PyDict;
        var sb = new StringBuilder();
        var next = 0;
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i++];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            if (i >= format.Length) throw new TemplateRuntimeError("incomplete format");
            object? value;
            string? key = null;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0) throw new TemplateRuntimeError("incomplete format key");
                key = format[(i + 1)..close];
                i = close + 1;
            }
            var specStart = i;
            while (i < format.Length && "-+ #0123456789.".Contains(format[i])) i++;
            if (i >= format.Length) throw new TemplateRuntimeError("incomplete format");
            var spec = format[specStart..i];
            var conversion = format[i++];
            if (conversion == '%')
            {
                sb.Append('%');
                continue;
            }
            if (key is not null)
            {
                if (mapping is null) throw new TemplateRuntimeError("format requires a mapping");
                if (!mapping.TryGet(key, out value)) throw new TemplateRuntimeError($"KeyError: {PyOps.Repr(key)}");
            }
            else
            {
                if (next >= positional.Length) throw new TemplateRuntimeError("not enough arguments for format string");
                value = positional[next++];
            }
            sb.Append(Convert(conversion, spec, value));
        }
        if (mapping is null && next < positional.Length)
            throw new TemplateRuntimeError("not all arguments converted during string formatting");
        return sb.ToString();
    }

    private static string Convert(char conversion, string spec, object? value)
    {
        if (value is Undefined u && conversion != 's') throw u.Fail();
        var precision = -1;
        var width = 0;
        var flags = "";
        var m = 0;
        while (m < spec.Length && "-+ #0".Contains(spec[m])) m++;
        flags = spec[..m];
        var rest = spec[m..];
        var dot = rest.IndexOf('.');
        var widthText = dot >= 0 ? rest[..dot] : rest;
        if (widthText.Length > 0) width = int.Parse(widthText, CultureInfo.InvariantCulture);
        if (dot >= 0) precision = rest.Length > dot + 1 ? int.Parse(rest[(dot + 1)..], CultureInfo.InvariantCulture) : 0;
        string text = conversion switch
        {
            's' => precision >= 0 ? PyText.Slice(PyOps.Str(value), 0, precision, 1) : PyOps.Str(value),
            'r' => PyOps.Repr(value),
            'd' or 'i' => value is double dv ? ((long)Math.Truncate(dv)).ToString(CultureInfo.InvariantCulture) : PyOps.AsLong(value).ToString(CultureInfo.InvariantCulture),
            'f' or 'F' => PyOps.AsDouble(value).ToString("F" + (precision >= 0 ? precision : 6), CultureInfo.InvariantCulture),
            _ => throw new TemplateRuntimeError($"unsupported format character '{conversion}' (0x{(int)conversion:x})"),
        };
        if (flags.Contains('+') && conversion is 'd' or 'i' or 'f' or 'F' && !text.StartsWith('-')) text = "+" + text;
        if (text.Length < width)
            text = flags.Contains('-') ? text.PadRight(width)
                : flags.Contains('0') && conversion != 's' ? (text.StartsWith('-') ? "-" + text[1..].PadLeft(width - 1, '0') : text.PadLeft(width, '0'))
                : text.PadLeft(width);
        return text;
    }

    /// <summary>str.format with "{}", "{0}", "{name}", "{{" and "}}"; format specs and conversions are errors.</summary>
    public static string Format(string format, CallArgs args)
    {
        var sb = new StringBuilder();
        var auto = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{')
            {
                if (i + 1 < format.Length && format[i + 1] == '{')
                {
                    sb.Append('{');
                    i++;
                    continue;
                }
                var close = format.IndexOf('}', i);
                if (close < 0) throw new TemplateRuntimeError("Single '{' encountered in format string");
                var field = format[(i + 1)..close];
                if (field.IndexOfAny([':', '!', '.', '[']) >= 0)
                    throw new TemplateRuntimeError($"str.format field '{{{field}}}' uses a conversion or format spec, which is not supported");
                object? value;
                if (field.Length == 0)
                {
                    if (auto >= args.Positional.Length) throw new TemplateRuntimeError($"Replacement index {auto} out of range for positional args tuple");
                    value = args.Positional[auto++];
                }
                else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    if (index >= args.Positional.Length) throw new TemplateRuntimeError($"Replacement index {index} out of range for positional args tuple");
                    value = args.Positional[index];
                }
                else
                {
                    var found = args.Keywords.FirstOrDefault(k => k.Name == field);
                    if (found.Name is null) throw new TemplateRuntimeError($"KeyError: {PyOps.Repr(field)}");
                    value = found.Value;
                }
                sb.Append(PyOps.Str(value));
                i = close;
            }
            else if (c == '}')
            {
                if (i + 1 < format.Length && format[i + 1] == '}')
                {
                    sb.Append('}');
                    i++;
                    continue;
                }
                throw new TemplateRuntimeError("Single '}' encountered in format string");
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
