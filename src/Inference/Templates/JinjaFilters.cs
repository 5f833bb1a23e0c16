using System.Globalization;

namespace Pipeline.Inference.Templates;

/// <summary>jinja2's built-in filters that chat templates use, with transformers' tojson; each behaves as the
/// jinja2 3.1 function of the same name (generator results are one-shot <see cref="PyIterator"/>s).</summary>
internal static class JinjaFilters
{
    private delegate object? Filter(RenderContext c, object? value, CallArgs args);

    private static readonly HashSet<string> Jinja2Builtins =
    [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat",
        "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join", "last", "length", "list",
        "lower", "map", "max", "min", "pprint", "random", "reject", "rejectattr", "replace", "reverse", "round", "safe",
        "select", "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "tojson", "trim", "truncate",
        "unique", "upper", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr",
    ];

    private static readonly Dictionary<string, Filter> Table = new(StringComparer.Ordinal)
    {
        ["abs"] = (_, v, a) => NoArgs(a, "abs", v) switch
        {
            long l => (object)checked(Math.Abs(l)),
            bool b => b ? 1L : 0L,
            double d => Math.Abs(d),
            Undefined u => throw u.Fail(),
            _ => throw new TemplateRuntimeError($"bad operand type for abs(): '{PyOps.TypeName(v)}'"),
        },
        ["attr"] = (_, v, a) =>
        {
            var name = PyOps.Unwrap(Expect(a, "attr", "name").Get(0, "name", null)) as string
                ?? throw new TemplateRuntimeError("attribute name must be a string");
            return v is PyDict dict ? PyMethods.Lookup(dict, name) ?? Undefined.Member(v, name) : PyOps.GetAttr(v, name);
        },
        ["capitalize"] = (_, v, a) => PyText.Capitalize(Text(v, a, "capitalize")),
        ["count"] = (_, v, a) => PyOps.Len(NoArgs(a, "count", v)),
        ["length"] = (_, v, a) => PyOps.Len(NoArgs(a, "length", v)),
        ["d"] = Default,
        ["default"] = Default,
        ["dictsort"] = DictSort,
        ["e"] = (_, v, a) => NoArgs(a, "escape", v) is PyMarkup ? v : new PyMarkup(PyOps.Escape(PyOps.Str(v))),
        ["escape"] = (_, v, a) => NoArgs(a, "escape", v) is PyMarkup ? v : new PyMarkup(PyOps.Escape(PyOps.Str(v))),
        ["first"] = (_, v, a) =>
        {
            Expect(a, "first");
            foreach (var item in PyOps.Iterate(v)) return item;
            return Undefined.WithHint("No first item, sequence was empty.");
        },
        ["last"] = (_, v, a) =>
        {
            Expect(a, "last");
            var items = v is PyIterator ? throw new TemplateRuntimeError("'generator' object is not reversible") : Reversed(v, $"'{PyOps.TypeName(v)}' object is not reversible");
            foreach (var item in items) return item;
            return Undefined.WithHint("No last item, sequence was empty.");
        },
        ["float"] = (_, v, a) => ToFloat(v, Expect(a, "float", "default").Get(0, "default", 0.0)),
        ["int"] = (_, v, a) =>
        {
            Expect(a, "int", "default", "base");
            return ToInt(v, a.Get(0, "default", 0L), PyOps.AsLong(a.Get(1, "base", 10L)));
        },
        ["format"] = (_, v, a) =>
        {
            if (a.Positional.Length > 0 && a.Keywords.Length > 0)
                throw new TemplateRuntimeError("can't handle positional and keyword arguments at the same time");
            object? args;
            if (a.Keywords.Length > 0)
            {
                var dict = new PyDict();
                foreach (var (k, x) in a.Keywords) dict.Set(k, x);
                args = dict;
            }
            else args = a.Positional;
            return PyFormat.Printf(PyOps.Str(v), args);
        },
        ["indent"] = Indent,
        ["items"] = (_, v, a) =>
        {
            Expect(a, "items");
            return v switch
            {
                Undefined => new PyIterator([], "generator"),
                PyDict dict => new PyIterator(dict.Select(p => (object?)new object?[] { p.Key, p.Value }), "generator"),
                _ => throw new TemplateRuntimeError("Can only get item pairs from a mapping."),
            };
        },
        ["join"] = (_, v, a) =>
        {
            Expect(a, "join", "d", "attribute");
            var separator = PyOps.Str(a.Get(0, "d", ""));
            var items = PyOps.Iterate(v);
            if (a.TryGet(1, "attribute", out var attribute) && attribute is not null) items = items.Select(AttrGetter(attribute, null));
            return string.Join(separator, items.Select(PyOps.Str));
        },
        ["list"] = (_, v, a) => PyOps.Iterate(NoArgs(a, "list", v)).ToList(),
        ["lower"] = (_, v, a) => PyText.Lower(Text(v, a, "lower")),
        ["upper"] = (_, v, a) => PyText.Upper(Text(v, a, "upper")),
        ["title"] = (_, v, a) => PyText.JinjaTitle(Text(v, a, "title")),
        ["map"] = Map,
        ["max"] = (c, v, a) => MinMax(v, a, "max", max: true),
        ["min"] = (c, v, a) => MinMax(v, a, "min", max: false),
        ["select"] = (c, v, a) => SelectOrReject(c, v, a, keep: true, lookupAttr: false),
        ["reject"] = (c, v, a) => SelectOrReject(c, v, a, keep: false, lookupAttr: false),
        ["selectattr"] = (c, v, a) => SelectOrReject(c, v, a, keep: true, lookupAttr: true),
        ["rejectattr"] = (c, v, a) => SelectOrReject(c, v, a, keep: false, lookupAttr: true),
        ["replace"] = (_, v, a) =>
        {
            Expect(a, "replace", "old", "new", "count");
            var count = a.Get(2, "count", null);
            return PyText.Replace(PyOps.Str(v), PyOps.Str(a.Get(0, "old", null)), PyOps.Str(a.Get(1, "new", null)), count is null ? -1 : PyOps.AsLong(count));
        },
        ["reverse"] = (_, v, a) =>
        {
            Expect(a, "reverse");
            if (PyOps.Unwrap(v) is string s) return PyText.Reverse(s);
            if (v is PyIterator) return PyOps.Iterate(v).Reverse().ToList();
            return new PyIterator(Reversed(v, "argument must be iterable"), "list_reverseiterator");
        },
        ["round"] = Round,
        ["safe"] = (_, v, a) => NoArgs(a, "safe", v) is PyMarkup ? v : new PyMarkup(PyOps.Str(v)),
        ["sort"] = Sort,
        ["string"] = (_, v, a) => NoArgs(a, "string", v) is PyMarkup ? v : PyOps.Str(v),
        ["sum"] = (_, v, a) =>
        {
            Expect(a, "sum", "attribute", "start");
            var items = PyOps.Iterate(v);
            if (a.TryGet(0, "attribute", out var attribute) && attribute is not null) items = items.Select(AttrGetter(attribute, null));
            var total = a.Get(1, "start", 0L);
            foreach (var item in items) total = PyOps.Add(total, item);
            return total;
        },
        ["tojson"] = (_, v, a) =>
        {
            Expect(a, "tojson", "ensure_ascii", "indent", "separators", "sort_keys");
            var indent = a.Get(1, "indent", null) switch
            {
                null => null,
                string s => s,
                long n => new string(' ', (int)Math.Max(0, n)),
                bool b => b ? " " : "",
                var other => throw new TemplateRuntimeError($"tojson indent must be None, an int or a str, not {PyOps.TypeName(other)}"),
            };
            string? itemSep = null, keySep = null;
            var separators = a.Get(2, "separators", null);
            if (separators is not null)
            {
                var pair = PyOps.Iterate(separators).Select(x => PyOps.Unwrap(x) as string).ToList();
                if (pair.Count != 2 || pair.Any(x => x is null)) throw new TemplateRuntimeError("tojson separators must be a pair of strings");
                (itemSep, keySep) = (pair[0], pair[1]);
            }
            return PyJson.Dumps(v, PyOps.Truthy(a.Get(0, "ensure_ascii", false)), indent, itemSep, keySep, PyOps.Truthy(a.Get(3, "sort_keys", false)));
        },
        ["trim"] = (_, v, a) =>
        {
            Expect(a, "trim", "chars");
            var chars = a.Get(0, "chars", null);
            return PyText.Strip(PyOps.Str(v), chars is null ? null : PyOps.Unwrap(chars) as string
                ?? throw new TemplateRuntimeError("strip arg must be None or str"));
        },
        ["unique"] = (_, v, a) =>
        {
            Expect(a, "unique", "case_sensitive", "attribute");
            var caseSensitive = PyOps.Truthy(a.Get(0, "case_sensitive", false));
            var getter = AttrGetter(a.Get(1, "attribute", null), null);
            return new PyIterator(Unique(PyOps.Iterate(v), x => caseSensitive ? getter(x) : IgnoreCase(getter(x))), "generator");
        },
    };

    public static bool Exists(string name) => Table.ContainsKey(name);

    public static string Unsupported(string name) => Jinja2Builtins.Contains(name)
        ? $"the '{name}' filter is not supported by this chat-template interpreter"
        : $"No filter named '{name}'.";

    public static object? Apply(RenderContext c, string name, object? value, CallArgs args) => Table[name](c, value, args);

    private static CallArgs Expect(CallArgs args, string filter, params string[] parameters) => args.Expect(filter, parameters);

    private static object? NoArgs(CallArgs args, string filter, object? value)
    {
        args.Expect(filter);
        return value;
    }

    private static string Text(object? v, CallArgs a, string filter)
    {
        Expect(a, filter);
        return PyOps.Str(v);
    }

    private static object? Default(RenderContext c, object? v, CallArgs a)
    {
        Expect(a, "default", "default_value", "boolean");
        var fallback = a.Get(0, "default_value", "");
        var boolean = PyOps.Truthy(a.Get(1, "boolean", false));
        return v is Undefined || (boolean && !PyOps.Truthy(v)) ? fallback : v;
    }

    private static IEnumerable<object?> Reversed(object? v, string notReversible) => PyOps.Unwrap(v) switch
    {
        string s => PyText.CodePoints(s).AsEnumerable().Reverse(),
        List<object?> list => Enumerable.Reverse(list).ToList(),
        object?[] tuple => tuple.Reverse().ToList(),
        PyDict dict => dict.Keys.Reverse().ToList(),
        PyView view => Enumerable.Reverse(view.Items).ToList(),
        Undefined => [],
        _ => throw new TemplateRuntimeError(notReversible),
    };

    private static object? IgnoreCase(object? v) => PyOps.Unwrap(v) is string s ? PyText.Lower(s) : v;

    private static IEnumerable<object?> Unique(IEnumerable<object?> items, Func<object?, object?> key)
    {
        var seen = new HashSet<object>(PyKeyComparer.Instance);
        var seenNone = false;
        foreach (var item in items)
        {
            var k = key(item);
            PyKeyComparer.CheckHashable(k);
            if (k is null)
            {
                if (seenNone) continue;
                seenNone = true;
                yield return item;
            }
            else if (seen.Add(k)) yield return item;
        }
    }

    /// <summary>jinja2's make_attrgetter: "a.b.0" looks up each part with getitem, digits as integers.</summary>
    private static Func<object?, object?> AttrGetter(object? attribute, object? fallback)
    {
        if (attribute is null) return x => x;
        object?[] parts = PyOps.Unwrap(attribute) is string path
            ? path.Split('.').Select(p => p.Length > 0 && p.All(char.IsDigit) ? (object?)long.Parse(p, CultureInfo.InvariantCulture) : p).ToArray()
            : [attribute];
        return item =>
        {
            foreach (var part in parts)
            {
                item = PyOps.GetItem(item, part);
                if (fallback is not null && item is Undefined) item = fallback;
            }
            return item;
        };
    }

    private static object? Map(RenderContext c, object? v, CallArgs a)
    {
        Func<object?, object?> func;
        if (a.Positional.Length == 0 && a.Keywords.Any(k => k.Name == "attribute"))
        {
            var extra = a.Keywords.FirstOrDefault(k => k.Name is not ("attribute" or "default"));
            if (extra.Name is not null) throw new TemplateRuntimeError($"Unexpected keyword argument {PyRepr.Str(extra.Name)}");
            func = AttrGetter(a.Get(-1, "attribute", null), a.Get(-1, "default", null));
        }
        else
        {
            if (a.Positional.Length == 0) throw new TemplateRuntimeError("map requires a filter argument");
            var name = PyOps.Str(a.Positional[0]);
            if (!Exists(name)) throw new TemplateRuntimeError(Unsupported(name));
            var rest = new CallArgs(a.Positional[1..], a.Keywords);
            func = item => Apply(c, name, item, rest);
        }
        return new PyIterator(PyOps.Iterate(v).Select(func), "generator");
    }

    private static object? SelectOrReject(RenderContext c, object? v, CallArgs a, bool keep, bool lookupAttr)
    {
        if (!PyOps.Truthy(v)) return new PyIterator([], "generator");
        Func<object?, object?> transform = x => x;
        var offset = 0;
        if (lookupAttr)
        {
            if (a.Positional.Length == 0) throw new TemplateRuntimeError("Missing parameter for attribute name");
            transform = AttrGetter(a.Positional[0], null);
            offset = 1;
        }
        Func<object?, bool> test;
        if (a.Positional.Length > offset)
        {
            var name = PyOps.Str(a.Positional[offset]);
            if (!JinjaTests.Exists(name)) throw new TemplateRuntimeError(JinjaTests.Unsupported(name));
            var rest = new CallArgs(a.Positional[(offset + 1)..], a.Keywords);
            test = x => (bool)JinjaTests.Apply(c, name, x, rest)!;
        }
        else test = PyOps.Truthy;
        return new PyIterator(PyOps.Iterate(v).Where(x => test(transform(x)) == keep), "generator");
    }

    private static object? MinMax(object? v, CallArgs a, string name, bool max)
    {
        Expect(a, name, "case_sensitive", "attribute");
        var caseSensitive = PyOps.Truthy(a.Get(0, "case_sensitive", false));
        var getter = AttrGetter(a.Get(1, "attribute", null), null);
        object? best = null;
        object? bestKey = null;
        var any = false;
        foreach (var item in PyOps.Iterate(v))
        {
            var key = caseSensitive ? getter(item) : IgnoreCase(getter(item));
            if (!any || (max ? PyOps.Compare(key, bestKey, ">") > 0 : PyOps.Compare(key, bestKey) < 0))
            {
                best = item;
                bestKey = key;
                any = true;
            }
        }
        return any ? best : Undefined.WithHint("No aggregated item, sequence was empty.");
    }

    private static object? Sort(RenderContext c, object? v, CallArgs a)
    {
        Expect(a, "sort", "reverse", "case_sensitive", "attribute");
        var reverse = PyOps.Truthy(a.Get(0, "reverse", false));
        var caseSensitive = PyOps.Truthy(a.Get(1, "case_sensitive", false));
        var attribute = a.Get(2, "attribute", null);
        var getters = (PyOps.Unwrap(attribute) is string s ? s.Split(',').Select(x => (object?)x) : [attribute]).Select(x => AttrGetter(x, null)).ToArray();
        var keyed = PyOps.Iterate(v).Select(item => (Item: item, Key: (object?)getters.Select(g => caseSensitive ? g(item) : IgnoreCase(g(item))).ToList())).ToList();
        // Python's sort is stable, also when reversed: compare keys only, never positions' reverse.
        var sorted = reverse
            ? keyed.OrderByDescending(x => x.Key, Comparer<object?>.Create((x, y) => PyOps.Compare(x, y))).ToList()
            : keyed.OrderBy(x => x.Key, Comparer<object?>.Create((x, y) => PyOps.Compare(x, y))).ToList();
        return sorted.Select(x => x.Item).ToList();
    }

    private static object? DictSort(RenderContext c, object? v, CallArgs a)
    {
        Expect(a, "dictsort", "case_sensitive", "by", "reverse");
        if (v is not PyDict dict) throw new TemplateRuntimeError($"'{PyOps.TypeName(v)}' object has no attribute 'items'");
        var caseSensitive = PyOps.Truthy(a.Get(0, "case_sensitive", false));
        var by = PyOps.Str(a.Get(1, "by", "key"));
        var position = by switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new TemplateRuntimeError("You can only sort by either \"key\" or \"value\""),
        };
        var reverse = PyOps.Truthy(a.Get(2, "reverse", false));
        var pairs = dict.Select(p => new object?[] { p.Key, p.Value }).ToList();
        var comparer = Comparer<object?>.Create((x, y) => PyOps.Compare(x, y));
        Func<object?[], object?> key = p => caseSensitive ? p[position] : IgnoreCase(p[position]);
        var sorted = reverse ? pairs.OrderByDescending(key, comparer) : pairs.OrderBy(key, comparer);
        return sorted.Select(p => (object?)p).ToList();
    }

    private static object? Indent(RenderContext c, object? v, CallArgs a)
    {
        Expect(a, "indent", "width", "first", "blank");
        var width = a.Get(0, "width", 4L);
        var indention = PyOps.Unwrap(width) is string w ? w : new string(' ', (int)Math.Max(0, PyOps.AsLong(width)));
        var first = PyOps.Truthy(a.Get(1, "first", false));
        var blank = PyOps.Truthy(a.Get(2, "blank", false));
        string s;
        try
        {
            // jinja2 does `s += "\n"`, so a non-string fails with Python's in-place wording.
            s = PyOps.Unwrap(PyOps.Add(v, "\n")) as string
                ?? throw new TemplateRuntimeError($"can only concatenate str (not \"{PyOps.TypeName(v)}\") to str");
        }
        catch (TemplateRuntimeError e) when (e.Message.StartsWith("unsupported operand type(s) for +:", StringComparison.Ordinal))
        {
            throw new TemplateRuntimeError(e.Message.Replace("for +:", "for +=:", StringComparison.Ordinal));
        }
        var lines = PyText.SplitLines(s);
        string rv;
        if (blank) rv = string.Join("\n" + indention, lines);
        else
        {
            rv = lines[0];
            if (lines.Count > 1) rv += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indention + line : line));
        }
        if (first) rv = indention + rv;
        return rv;
    }

    /// <summary>jinja2's round: Python's round() for "common" (round-half-even on the exact binary value, an int
    /// stays an int), math.ceil/floor(value * 10**precision) / 10**precision otherwise.</summary>
    private static object? Round(RenderContext c, object? v, CallArgs a)
    {
        Expect(a, "round", "precision", "method");
        var precision = PyOps.AsLong(a.Get(0, "precision", 0L));
        var method = PyOps.Str(a.Get(1, "method", "common"));
        if (method is not ("common" or "ceil" or "floor")) throw new TemplateRuntimeError("method must be common, ceil or floor");
        if (v is not (long or bool or double))
            throw new TemplateRuntimeError($"type {PyOps.TypeName(v)} doesn't define __round__ method");
        if (method == "common")
        {
            if (v is double d) return PyRound.Float(d, precision);
            return PyRound.Int(PyOps.AsLong(v), precision);
        }
        object scale = precision >= 0 ? PyOps.Pow(10L, precision)! : Math.Pow(10, precision);
        var scaled = PyOps.AsDouble(PyOps.Mul(v, scale));
        if (!double.IsFinite(scaled)) throw new TemplateRuntimeError("cannot convert float infinity or NaN to integer");
        var whole = method == "ceil" ? Math.Ceiling(scaled) : Math.Floor(scaled);
        return PyOps.Div((long)whole, scale);
    }

    private static object? ToInt(object? v, object? fallback, long radix)
    {
        switch (PyOps.Unwrap(v))
        {
            case Undefined u: throw u.Fail();
            case bool b: return b ? 1L : 0L;
            case long l: return l;
            case double d: return double.IsFinite(d) ? (long)Math.Truncate(d) : throw new TemplateRuntimeError("cannot convert float infinity or NaN to integer");
            case string s:
                var text = PyText.Strip(s, null).Replace("_", "");
                try
                {
                    var negative = text.StartsWith('-');
                    var body = text.TrimStart('+', '-');
                    var prefix = body.Length > 1 && body[0] == '0' ? char.ToLowerInvariant(body[1]) : '\0';
                    if (radix != 10 && prefix is 'b' or 'o' or 'x') body = body[2..];
                    if (radix == 10 && body.All(char.IsAsciiDigit) && body.Length > 0)
                        return negative ? -long.Parse(body, CultureInfo.InvariantCulture) : long.Parse(body, CultureInfo.InvariantCulture);
                    if (radix is 2 or 8 or 16 && body.Length > 0)
                    {
                        var value = Convert.ToInt64(body, (int)radix);
                        return negative ? -value : value;
                    }
                }
                catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
                {
                }
                return ParseFloat(s) is { } f && double.IsFinite(f) ? (long)Math.Truncate(f) : fallback;
            default: return fallback;
        }
    }

    private static object? ToFloat(object? v, object? fallback) => PyOps.Unwrap(v) switch
    {
        Undefined u => throw u.Fail(),
        bool b => b ? 1.0 : 0.0,
        long l => (double)l,
        double d => d,
        string s => ParseFloat(s) ?? fallback,
        _ => fallback,
    };

    private static double? ParseFloat(string s)
    {
        var text = PyText.Strip(s, null).Replace("_", "");
        switch (text.ToLowerInvariant().TrimStart('+'))
        {
            case "inf" or "infinity": return text.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
            case "-inf" or "-infinity": return double.NegativeInfinity;
            case "nan" or "-nan": return double.NaN;
        }
        return text.Length > 0 && text.All(ch => char.IsAsciiDigit(ch) || ch is '.' or 'e' or 'E' or '+' or '-')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }
}
