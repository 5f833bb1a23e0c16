namespace Pipeline.Inference.Templates;

/// <summary>jinja2's tests (<c>x is defined</c>, <c>x is divisibleby 3</c>, and the names select/reject use).</summary>
internal static class JinjaTests
{
    private delegate bool Test(object? value, CallArgs args);

    private static readonly Dictionary<string, Test> Table = new(StringComparer.Ordinal)
    {
        ["boolean"] = (v, _) => v is bool,
        ["callable"] = (v, _) => v is PyCallable or Undefined,
        ["defined"] = (v, _) => v is not Undefined,
        ["undefined"] = (v, _) => v is Undefined,
        ["divisibleby"] = (v, a) => PyOps.Eq(PyOps.Mod(v, One(a, "divisibleby")), 0L),
        ["eq"] = (v, a) => PyOps.Eq(v, One(a, "eq")),
        ["equalto"] = (v, a) => PyOps.Eq(v, One(a, "equalto")),
        ["=="] = (v, a) => PyOps.Eq(v, One(a, "==")),
        ["ne"] = (v, a) => !PyOps.Eq(v, One(a, "ne")),
        ["!="] = (v, a) => !PyOps.Eq(v, One(a, "!=")),
        ["lt"] = (v, a) => PyOps.Compare(v, One(a, "lt"), "<") < 0,
        ["lessthan"] = (v, a) => PyOps.Compare(v, One(a, "lessthan"), "<") < 0,
        ["<"] = (v, a) => PyOps.Compare(v, One(a, "<"), "<") < 0,
        ["le"] = (v, a) => PyOps.Compare(v, One(a, "le"), "<=") <= 0,
        ["<="] = (v, a) => PyOps.Compare(v, One(a, "<="), "<=") <= 0,
        ["gt"] = (v, a) => PyOps.Compare(v, One(a, "gt"), ">") > 0,
        ["greaterthan"] = (v, a) => PyOps.Compare(v, One(a, "greaterthan"), ">") > 0,
        [">"] = (v, a) => PyOps.Compare(v, One(a, ">"), ">") > 0,
        ["ge"] = (v, a) => PyOps.Compare(v, One(a, "ge"), ">=") >= 0,
        [">="] = (v, a) => PyOps.Compare(v, One(a, ">="), ">=") >= 0,
        ["even"] = (v, a) => None(a, "even") && PyOps.Eq(PyOps.Mod(v, 2L), 0L),
        ["odd"] = (v, a) => None(a, "odd") && PyOps.Eq(PyOps.Mod(v, 2L), 1L),
        ["false"] = (v, _) => v is false,
        ["true"] = (v, _) => v is true,
        ["float"] = (v, _) => v is double,
        ["integer"] = (v, _) => v is long,
        ["number"] = (v, _) => v is long or double or bool,
        ["in"] = (v, a) => PyOps.Contains(One(a, "in"), v),
        ["iterable"] = (v, _) => v is string or PyMarkup or List<object?> or object?[] or PyDict or PyView or PyIterator or Undefined,
        ["sequence"] = (v, _) => v is string or PyMarkup or List<object?> or object?[] or PyDict or Undefined or PyView { Indexable: true },
        ["mapping"] = (v, _) => v is PyDict,
        ["none"] = (v, _) => v is null,
        ["string"] = (v, _) => v is string or PyMarkup,
        ["lower"] = (v, _) => PyOps.Str(v) is var s && s.Any(char.IsLower) && !s.Any(char.IsUpper),
        ["upper"] = (v, _) => PyOps.Str(v) is var s && s.Any(char.IsUpper) && !s.Any(char.IsLower),
        ["escaped"] = (v, _) => v is PyMarkup,
        ["sameas"] = (v, a) => One(a, "sameas") is var other && (v is null or bool or long ? PyOps.Eq(v, other) && v?.GetType() == other?.GetType() : ReferenceEquals(v, other)),
        ["filter"] = (v, _) => PyOps.Unwrap(v) is string name && JinjaFilters.Exists(name),
        ["test"] = (v, _) => PyOps.Unwrap(v) is string name && Exists(name),
    };

    private static readonly HashSet<string> Jinja2Builtins = [.. Table.Keys];

    public static bool Exists(string name) => Table.ContainsKey(name);

    public static string Unsupported(string name) => Jinja2Builtins.Contains(name)
        ? $"the '{name}' test is not supported by this chat-template interpreter"
        : $"No test named '{name}'.";

    public static object? Apply(RenderContext c, string name, object? value, CallArgs args) => Table[name](value, args);

    private static object? One(CallArgs args, string test)
    {
        if (args.Positional.Length + args.Keywords.Length != 1)
            throw new TemplateRuntimeError($"test '{test}' takes one argument, {args.Positional.Length + args.Keywords.Length} given");
        return args.Positional.Length == 1 ? args.Positional[0] : args.Keywords[0].Value;
    }

    private static bool None(CallArgs args, string test) =>
        args.Positional.Length + args.Keywords.Length == 0 ? true : throw new TemplateRuntimeError($"test '{test}' takes no arguments");
}
