namespace Pipeline.Inference.Templates;

/// <summary>The global functions of transformers' environment: jinja2's range, dict and namespace, and
/// transformers' raise_exception and strftime_now.</summary>
internal static class JinjaGlobals
{
    /// <summary>jinja2's sandbox refuses ranges longer than this.</summary>
    private const int MaxRange = 100000;

    public static readonly Scope Scope = Build();

    private static Scope Build()
    {
        var scope = new Scope(null);
        void Add(string name, Func<RenderContext, CallArgs, object?> body) => scope.Set(name, new BuiltinFunction(name, body));
        Add("range", (_, a) => Range(a));
        Add("dict", (_, a) => MakeDict(a, "dict"));
        Add("namespace", (_, a) =>
        {
            var ns = new Namespace();
            foreach (var (k, v) in MakeDict(a, "namespace")) ns.Attributes.Set(k, v);
            return ns;
        });
        Add("raise_exception", (_, a) => throw new TemplateRuntimeError(PyOps.Str(a.Expect("raise_exception", "message").Get(0, "message", null))));
        Add("strftime_now", (c, a) =>
        {
            a.Expect("strftime_now", "format");
            var format = PyOps.Unwrap(a.Get(0, "format", null)) as string
                ?? throw new TemplateRuntimeError("strftime_now() argument must be str");
            return PyStrftime.Format(c.Options.Now ?? DateTime.Now, format);
        });
        foreach (var name in new[] { "lipsum", "cycler", "joiner" })
            Add(name, (_, _) => throw new TemplateRuntimeError($"'{name}' is not supported by this chat-template interpreter"));
        return scope;
    }

    private static PyView Range(CallArgs a)
    {
        if (a.Keywords.Length > 0) throw new TemplateRuntimeError("range() takes no keyword arguments");
        var p = a.Positional.Select(PyOps.AsLong).ToArray();
        var (start, stop, step) = p.Length switch
        {
            1 => (0L, p[0], 1L),
            2 => (p[0], p[1], 1L),
            3 => (p[0], p[1], p[2]),
            _ => throw new TemplateRuntimeError($"range expected 1 to 3 arguments, got {p.Length}"),
        };
        if (step == 0) throw new TemplateRuntimeError("range() arg 3 must not be zero");
        var count = step > 0 ? Math.Max(0, (stop - start + step - 1) / step) : Math.Max(0, (start - stop - step - 1) / -step);
        if (count > MaxRange)
            throw new TemplateRuntimeError($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        var list = new List<object?>((int)count);
        for (var i = 0L; i < count; i++) list.Add(start + i * step);
        return new PyView("range", list, step == 1 ? $"range({start}, {stop})" : $"range({start}, {stop}, {step})");
    }

    private static PyDict MakeDict(CallArgs a, string function)
    {
        if (a.Positional.Length > 1) throw new TemplateRuntimeError($"{function} expected at most 1 argument, got {a.Positional.Length}");
        var dict = new PyDict();
        if (a.Positional.Length == 1)
        {
            if (a.Positional[0] is PyDict source)
                foreach (var (k, v) in source) dict.Set(k, v);
            else
                foreach (var pair in PyOps.Iterate(a.Positional[0]))
                {
                    var kv = PyOps.Iterate(pair).ToList();
                    if (kv.Count != 2) throw new TemplateRuntimeError("dictionary update sequence element has wrong length; 2 is required");
                    dict.Set(kv[0], kv[1]);
                }
        }
        foreach (var (k, v) in a.Keywords) dict.Set(k, v);
        return dict;
    }
}
