namespace Pipeline.Inference.Templates;

/// <summary>The str, dict, list and tuple methods a template may call. Mutating methods are what jinja2's
/// ImmutableSandboxedEnvironment makes them: an undefined value that fails when called.</summary>
internal static class PyMethods
{
    private static readonly HashSet<string> DictMutators = ["clear", "pop", "popitem", "setdefault", "update"];
    private static readonly HashSet<string> ListMutators = ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"];

    public static object? Lookup(object? receiver, string name)
    {
        switch (receiver)
        {
            case string s: return StringMethod(s, name);
            case PyMarkup m: return StringMethod(m.Value, name);
            case PyDict dict:
                if (DictMutators.Contains(name)) return Unsafe(name, "dict");
                return DictMethod(dict, name);
            case List<object?> list:
                if (ListMutators.Contains(name)) return Unsafe(name, "list");
                return SequenceMethod(list, name, copy: true);
            case object?[] tuple:
                return SequenceMethod(tuple, name, copy: false);
            default:
                return null;
        }
    }

    private static Undefined Unsafe(string name, string type) =>
        Undefined.WithHint($"access to attribute '{name}' of '{type}' object is unsafe.");

    private static BoundMethod M(object? self, string name, Func<object?, CallArgs, object?> body) => new(self, name, body);

    private static string? OptStr(object? v, string method) => PyOps.Unwrap(v) switch
    {
        null => null,
        string s => s,
        _ => throw new TemplateRuntimeError($"{method} arg must be None or str"),
    };

    private static string Str(object? v, string method) => PyOps.Unwrap(v) as string
        ?? throw new TemplateRuntimeError($"{method}() argument must be str, not {PyOps.TypeName(v)}");

    private static BoundMethod? StringMethod(string s, string name) => name switch
    {
        "strip" => M(s, name, (_, a) => PyText.Strip(s, OptStr(a.Expect(name, "chars").Get(0, "chars", null), name))),
        "lstrip" => M(s, name, (_, a) => PyText.LStrip(s, OptStr(a.Expect(name, "chars").Get(0, "chars", null), name))),
        "rstrip" => M(s, name, (_, a) => PyText.RStrip(s, OptStr(a.Expect(name, "chars").Get(0, "chars", null), name))),
        "split" => M(s, name, (_, a) => PyText.Split(s, OptStr(a.Expect(name, "sep", "maxsplit").Get(0, "sep", null), name), PyOps.AsLong(a.Get(1, "maxsplit", -1L)))),
        "rsplit" => M(s, name, (_, a) => PyText.RSplit(s, OptStr(a.Expect(name, "sep", "maxsplit").Get(0, "sep", null), name), PyOps.AsLong(a.Get(1, "maxsplit", -1L)))),
        "splitlines" => M(s, name, (_, a) => PyText.SplitLines(s, PyOps.Truthy(a.Expect(name, "keepends").Get(0, "keepends", false))).Cast<object?>().ToList()),
        "startswith" => M(s, name, (_, a) => Affix(s, a.Expect(name, "prefix").Get(0, "prefix", null), name, start: true)),
        "endswith" => M(s, name, (_, a) => Affix(s, a.Expect(name, "suffix").Get(0, "suffix", null), name, start: false)),
        "upper" => M(s, name, (_, a) => PyText.Upper(s)),
        "lower" => M(s, name, (_, a) => PyText.Lower(s)),
        "title" => M(s, name, (_, a) => PyText.Title(s)),
        "capitalize" => M(s, name, (_, a) => PyText.Capitalize(s)),
        "replace" => M(s, name, (_, a) => PyText.Replace(s, Str(a.Expect(name, "old", "new", "count").Get(0, "old", null), name), Str(a.Get(1, "new", null), name), PyOps.AsLong(a.Get(2, "count", -1L)))),
        "find" => M(s, name, (_, a) => (long)CodePointIndex(s, s.IndexOf(Str(a.Expect(name, "sub").Get(0, "sub", null), name), StringComparison.Ordinal))),
        "rfind" => M(s, name, (_, a) => (long)CodePointIndex(s, s.LastIndexOf(Str(a.Expect(name, "sub").Get(0, "sub", null), name), StringComparison.Ordinal))),
        "count" => M(s, name, (_, a) => CountOf(s, Str(a.Expect(name, "sub").Get(0, "sub", null), name))),
        "join" => M(s, name, (_, a) => string.Join(s, PyOps.Iterate(a.Expect(name, "iterable").Get(0, "iterable", null)).Select((x, i) =>
            PyOps.Unwrap(x) as string ?? throw new TemplateRuntimeError($"sequence item {i}: expected str instance, {PyOps.TypeName(x)} found")))),
        "format" => M(s, name, (_, a) => PyFormat.Format(s, a)),
        "isdigit" => M(s, name, (_, a) => s.Length > 0 && s.All(char.IsDigit)),
        "isalpha" => M(s, name, (_, a) => s.Length > 0 && s.All(char.IsLetter)),
        "isalnum" => M(s, name, (_, a) => s.Length > 0 && s.All(char.IsLetterOrDigit)),
        "isspace" => M(s, name, (_, a) => s.Length > 0 && s.All(PyText.IsSpace)),
        "islower" => M(s, name, (_, a) => s.Any(char.IsLower) && !s.Any(char.IsUpper)),
        "isupper" => M(s, name, (_, a) => s.Any(char.IsUpper) && !s.Any(char.IsLower)),
        "isascii" => M(s, name, (_, a) => s.All(char.IsAscii)),
        "removeprefix" => M(s, name, (_, a) => Str(a.Expect(name, "prefix").Get(0, "prefix", null), name) is var p && s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s),
        "removesuffix" => M(s, name, (_, a) => Str(a.Expect(name, "suffix").Get(0, "suffix", null), name) is var x && x.Length > 0 && s.EndsWith(x, StringComparison.Ordinal) ? s[..^x.Length] : s),
        "index" => M(s, name, (_, a) => s.IndexOf(Str(a.Expect(name, "sub").Get(0, "sub", null), name), StringComparison.Ordinal) is var i and >= 0
            ? (long)CodePointIndex(s, i) : throw new TemplateRuntimeError("substring not found")),
        "rindex" => M(s, name, (_, a) => s.LastIndexOf(Str(a.Expect(name, "sub").Get(0, "sub", null), name), StringComparison.Ordinal) is var i and >= 0
            ? (long)CodePointIndex(s, i) : throw new TemplateRuntimeError("substring not found")),
        "partition" => M(s, name, (_, a) => Partition(s, Str(a.Expect(name, "sep").Get(0, "sep", null), name), last: false)),
        "rpartition" => M(s, name, (_, a) => Partition(s, Str(a.Expect(name, "sep").Get(0, "sep", null), name), last: true)),
        _ when UnsupportedStringMethods.Contains(name) => M(s, name, (_, _) =>
            throw new TemplateRuntimeError($"str.{name}() is not supported by this chat-template interpreter")),
        _ => null,
    };

    /// <summary>Python str methods left out: they exist (so a template testing one sees a true value, as in
    /// Python), but calling or printing one is an error rather than a guess.</summary>
    private static readonly HashSet<string> UnsupportedStringMethods =
    [
        "casefold", "center", "encode", "expandtabs", "format_map", "isdecimal", "isidentifier", "isnumeric",
        "isprintable", "istitle", "ljust", "maketrans", "rjust", "swapcase", "translate", "zfill",
    ];

    private static object?[] Partition(string s, string sep, bool last)
    {
        if (sep.Length == 0) throw new TemplateRuntimeError("empty separator");
        var i = last ? s.LastIndexOf(sep, StringComparison.Ordinal) : s.IndexOf(sep, StringComparison.Ordinal);
        if (i < 0) return last ? ["", "", s] : [s, "", ""];
        return [s[..i], sep, s[(i + sep.Length)..]];
    }

    private static int CodePointIndex(string s, int utf16Index) => utf16Index <= 0 ? utf16Index : PyText.Length(s[..utf16Index]);

    private static long CountOf(string s, string sub)
    {
        if (sub.Length == 0) return PyText.Length(s) + 1;
        long n = 0;
        for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private static bool Affix(string s, object? affix, string method, bool start)
    {
        var candidates = PyOps.Unwrap(affix) switch
        {
            string one => [one],
            object?[] tuple => tuple.Select(x => PyOps.Unwrap(x) as string
                ?? throw new TemplateRuntimeError($"tuple for {method} must only contain str, not {PyOps.TypeName(x)}")).ToArray(),
            _ => throw new TemplateRuntimeError($"{method} first arg must be str or a tuple of str, not {PyOps.TypeName(affix)}"),
        };
        return candidates.Any(c => start ? s.StartsWith(c, StringComparison.Ordinal) : s.EndsWith(c, StringComparison.Ordinal));
    }

    private static BoundMethod? DictMethod(PyDict dict, string name) => name switch
    {
        "items" => M(dict, name, (_, a) => new PyView("dict_items", dict.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList())),
        "keys" => M(dict, name, (_, a) => new PyView("dict_keys", dict.Keys.ToList())),
        "values" => M(dict, name, (_, a) => new PyView("dict_values", dict.Values.ToList())),
        "get" => M(dict, name, (_, a) =>
        {
            if (a.Keywords.Length > 0) throw new TemplateRuntimeError("get() takes no keyword arguments");
            if (a.Positional.Length is 0 or > 2) throw new TemplateRuntimeError($"get expected 1 or 2 arguments, got {a.Positional.Length}");
            return dict.TryGet(a.Positional[0], out var v) ? v : a.Positional.Length > 1 ? a.Positional[1] : null;
        }),
        "copy" => M(dict, name, (_, a) =>
        {
            var copy = new PyDict();
            foreach (var (k, v) in dict) copy.Set(k, v);
            return copy;
        }),
        "fromkeys" => M(dict, name, (_, _) => throw new TemplateRuntimeError("dict.fromkeys() is not supported by this chat-template interpreter")),
        _ => null,
    };

    private static BoundMethod? SequenceMethod(IReadOnlyList<object?> seq, string name, bool copy) => name switch
    {
        "index" => M(seq, name, (_, a) =>
        {
            var x = a.Expect(name, "value").Get(0, "value", null);
            for (var i = 0; i < seq.Count; i++)
                if (PyOps.Eq(seq[i], x)) return (long)i;
            throw new TemplateRuntimeError($"{PyOps.Repr(x)} is not in list");
        }),
        "count" => M(seq, name, (_, a) =>
        {
            var x = a.Expect(name, "value").Get(0, "value", null);
            return (long)seq.Count(item => PyOps.Eq(item, x));
        }),
        "copy" when copy => M(seq, name, (_, a) => seq.ToList()),
        _ => null,
    };
}
