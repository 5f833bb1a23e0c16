using System.Globalization;
using System.Text;

namespace Pipeline.Inference.Templates;

/// <summary>Python's json.dumps as transformers' tojson filter calls it (ensure_ascii=False by default, keys in
/// insertion order, separators ", " and ": ", or "," and ": " once indent is given).</summary>
internal static class PyJson
{
    public static string Dumps(object? value, bool ensureAscii, string? indent, string? itemSeparator, string? keySeparator, bool sortKeys)
    {
        var sb = new StringBuilder();
        itemSeparator ??= indent is null ? ", " : ",";
        keySeparator ??= ": ";
        Write(sb, value, ensureAscii, indent, itemSeparator, keySeparator, sortKeys, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value, bool ascii, string? indent, string itemSep, string keySep, bool sortKeys, int level)
    {
        switch (value)
        {
            case null: sb.Append("null"); return;
            case bool b: sb.Append(b ? "true" : "false"); return;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); return;
            case double d: sb.Append(Float(d)); return;
            case string s: Quote(sb, s, ascii); return;
            case PyMarkup m: Quote(sb, m.Value, ascii); return;
            case List<object?> or object?[]:
            {
                var items = (IReadOnlyList<object?>)value;
                if (items.Count == 0) { sb.Append("[]"); return; }
                sb.Append('[');
                for (var i = 0; i < items.Count; i++)
                {
                    if (i > 0) sb.Append(itemSep);
                    NewLine(sb, indent, level + 1);
                    Write(sb, items[i], ascii, indent, itemSep, keySep, sortKeys, level + 1);
                }
                NewLine(sb, indent, level);
                sb.Append(']');
                return;
            }
            case PyDict dict:
            {
                if (dict.Count == 0) { sb.Append("{}"); return; }
                IEnumerable<KeyValuePair<object?, object?>> pairs = dict;
                if (sortKeys)
                {
                    var list = dict.ToList();
                    list.Sort((x, y) => PyOps.Compare(x.Key, y.Key));
                    pairs = list;
                }
                sb.Append('{');
                var first = true;
                foreach (var (key, item) in pairs)
                {
                    if (!first) sb.Append(itemSep);
                    first = false;
                    NewLine(sb, indent, level + 1);
                    Quote(sb, Key(key), ascii);
                    sb.Append(keySep);
                    Write(sb, item, ascii, indent, itemSep, keySep, sortKeys, level + 1);
                }
                NewLine(sb, indent, level);
                sb.Append('}');
                return;
            }
            default:
                throw new TemplateRuntimeError($"Object of type {PyOps.TypeName(value)} is not JSON serializable");
        }
    }

    private static string Key(object? key) => key switch
    {
        string s => s,
        PyMarkup m => m.Value,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Float(d),
        _ => throw new TemplateRuntimeError($"keys must be str, int, float, bool or None, not {PyOps.TypeName(key)}"),
    };

    private static string Float(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyFloat.Repr(d);

    private static void NewLine(StringBuilder sb, string? indent, int level)
    {
        if (indent is null) return;
        sb.Append('\n');
        for (var i = 0; i < level; i++) sb.Append(indent);
    }

    private static void Quote(StringBuilder sb, string s, bool ascii)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ' || (ascii && c > '~')) sb.Append($"\\u{(int)c:x4}");
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
