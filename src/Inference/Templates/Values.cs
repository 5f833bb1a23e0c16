using System.Collections;

namespace Pipeline.Inference.Templates;

// Runtime values. A template value is one of: null (None), bool, long, double, string, PyMarkup,
// List<object?> (list), object?[] (tuple), PyDict, PyIterator (generator), PyView (dict views),
// Undefined, Namespace, LoopContext, PyCallable.

/// <summary>jinja2's default Undefined: prints as "", iterates as nothing, is false; every other use fails
/// with the message jinja2 gives.</summary>
internal sealed class Undefined
{
    private static readonly object Missing = new();

    public static readonly Undefined Plain = new(null, Missing, null);

    private readonly object? _obj;
    private readonly object? _name;

    private Undefined(string? hint, object? obj, object? name)
    {
        Hint = hint;
        _obj = obj;
        _name = name;
    }

    public string? Hint { get; }

    public static Undefined Named(string name) => new(null, Missing, name);

    public static Undefined WithHint(string hint) => new(hint, Missing, null);

    public static Undefined Member(object? obj, object? name) => new(null, obj, name);

    public string Message
    {
        get
        {
            if (Hint is not null) return Hint;
            if (ReferenceEquals(_obj, Missing)) return $"{PyOps.Repr(_name)} is undefined";
            if (_name is not string) return $"{ObjectTypeRepr(_obj)} has no element {PyOps.Repr(_name)}";
            return $"{PyOps.Repr(ObjectTypeRepr(_obj))} has no attribute {PyOps.Repr(_name)}";
        }
    }

    private static string ObjectTypeRepr(object? obj) => obj is null ? "None" : $"{PyOps.TypeName(obj)} object";

    public TemplateRuntimeError Fail() => new(Message);
}

/// <summary>A Python dict: insertion-ordered, keys compared as Python compares them (1 == 1.0 == True).</summary>
internal sealed class PyDict : IEnumerable<KeyValuePair<object?, object?>>
{
    private static readonly object NoneKey = new();
    private readonly OrderedDictionary<object, object?> _items = new(PyKeyComparer.Instance);

    public int Count => _items.Count;

    private static object Wrap(object? key) => key ?? NoneKey;

    private static object? Unwrap(object key) => ReferenceEquals(key, NoneKey) ? null : key;

    public void Set(object? key, object? value)
    {
        PyKeyComparer.CheckHashable(key);
        _items[Wrap(key)] = value;
    }

    public bool TryGet(object? key, out object? value)
    {
        PyKeyComparer.CheckHashable(key);
        return _items.TryGetValue(Wrap(key), out value);
    }

    public bool ContainsKey(object? key)
    {
        PyKeyComparer.CheckHashable(key);
        return _items.ContainsKey(Wrap(key));
    }

    public IEnumerable<object?> Keys => _items.Keys.Select(Unwrap);

    public IEnumerable<object?> Values => _items.Values;

    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator()
    {
        foreach (var pair in _items) yield return new(Unwrap(pair.Key), pair.Value);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Python hashing and equality for dict keys and unique().</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public static void CheckHashable(object? key)
    {
        if (key is List<object?> or PyDict or Namespace or PyView)
            throw new TemplateRuntimeError($"unhashable type: '{PyOps.TypeName(key)}'");
        if (key is object?[] tuple)
            foreach (var item in tuple) CheckHashable(item);
    }

    public new bool Equals(object? x, object? y) => PyOps.Eq(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        string s => s.GetHashCode(StringComparison.Ordinal),
        PyMarkup m => m.Value.GetHashCode(StringComparison.Ordinal),
        object?[] t => t.Aggregate(17, (h, item) => h * 31 + (item is null ? 0 : GetHashCode(item))),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
    };
}

/// <summary>A one-shot iterator (what select, map, unique, reverse, items filters return in jinja2): it has no
/// length, is always true, and a second loop over it sees nothing.</summary>
internal sealed class PyIterator(IEnumerable<object?> source, string typeName)
{
    private readonly IEnumerator<object?> _source = source.GetEnumerator();

    public string TypeName { get; } = typeName;

    public IEnumerable<object?> Drain()
    {
        while (_source.MoveNext()) yield return _source.Current;
    }
}

/// <summary>dict.items() / keys() / values() and range(): sized and re-iterable, printed as Python prints
/// them (dict_items([...]), range(0, 3)); only a range can be indexed.</summary>
internal sealed class PyView(string typeName, List<object?> items, string? repr = null)
{
    public string TypeName { get; } = typeName;

    public List<object?> Items { get; } = items;

    public string? CustomRepr { get; } = repr;

    public bool Indexable => TypeName == "range";
}

/// <summary>A string marked safe (jinja2's Markup): concatenating it with "+" HTML-escapes the other string.</summary>
internal sealed record PyMarkup(string Value);

/// <summary>jinja2's namespace(): the one object whose attributes a template can set.</summary>
internal sealed class Namespace
{
    public PyDict Attributes { get; } = new();
}

/// <summary>The <c>loop</c> variable of a for loop. Items are pulled from the source as jinja2 pulls them:
/// one per iteration, one ahead when <c>loop.last</c> or <c>loop.nextitem</c> is read, all of them when the
/// length is; so a loop's <c>if</c> filter runs at the same moments as in jinja2.</summary>
internal sealed class LoopContext(IEnumerator<object?> source)
{
    private readonly List<object?> _items = [];
    private bool _exhausted;
    private object? _lastChanged = Undefined.Plain;
    private bool _changedSeen;

    public int Index0 { get; set; }

    public bool TryGet(int index, out object? item)
    {
        while (_items.Count <= index && !_exhausted)
        {
            if (source.MoveNext()) _items.Add(source.Current);
            else _exhausted = true;
        }
        item = index < _items.Count ? _items[index] : null;
        return index < _items.Count;
    }

    public int Length
    {
        get
        {
            TryGet(int.MaxValue - 1, out _);
            return _items.Count;
        }
    }

    public object? Get(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(Length - Index0),
        "revindex0" => (long)(Length - Index0 - 1),
        "first" => Index0 == 0,
        "last" => !TryGet(Index0 + 1, out _),
        "length" => (long)Length,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? _items[Index0 - 1] : Undefined.WithHint("there is no previous item"),
        "nextitem" => TryGet(Index0 + 1, out var next) ? next : Undefined.WithHint("there is no next item"),
        "cycle" => new BuiltinFunction("cycle", (_, args) =>
        {
            if (args.Positional.Length == 0) throw new TemplateRuntimeError("no items for cycling given");
            return args.Positional[Index0 % args.Positional.Length];
        }),
        "changed" => new BuiltinFunction("changed", (_, args) =>
        {
            var value = (object?)args.Positional.ToArray();
            if (_changedSeen && PyOps.Eq(value, _lastChanged)) return false;
            _changedSeen = true;
            _lastChanged = value;
            return true;
        }),
        _ => Undefined.Member(this, name),
    };
}

/// <summary>Arguments of a call: positional, then keyword.</summary>
internal sealed class CallArgs(object?[] positional, (string Name, object? Value)[] keywords)
{
    public static readonly CallArgs None = new([], []);

    public object?[] Positional { get; } = positional;

    public (string Name, object? Value)[] Keywords { get; } = keywords;

    public bool TryGet(int index, string name, out object? value)
    {
        if (index >= 0 && index < Positional.Length)
        {
            value = Positional[index];
            return true;
        }
        foreach (var (key, v) in Keywords)
            if (key == name)
            {
                value = v;
                return true;
            }
        value = null;
        return false;
    }

    public object? Get(int index, string name, object? fallback) => TryGet(index, name, out var v) ? v : fallback;

    /// <summary>Rejects what Python would: too many positional arguments, unknown or repeated keywords.</summary>
    public CallArgs Expect(string function, params string[] parameters)
    {
        if (Positional.Length > parameters.Length)
            throw new TemplateRuntimeError($"{function}() takes at most {parameters.Length} argument(s) ({Positional.Length} given)");
        foreach (var (key, _) in Keywords)
        {
            var at = Array.IndexOf(parameters, key);
            if (at < 0) throw new TemplateRuntimeError($"{function}() got an unexpected keyword argument '{key}'");
            if (at < Positional.Length) throw new TemplateRuntimeError($"{function}() got multiple values for argument '{key}'");
        }
        return this;
    }
}

internal abstract class PyCallable
{
    public abstract string Name { get; }

    public abstract object? Call(RenderContext context, CallArgs args);
}

internal sealed class BuiltinFunction(string name, Func<RenderContext, CallArgs, object?> body) : PyCallable
{
    public override string Name => name;

    public override object? Call(RenderContext context, CallArgs args) => body(context, args);
}

/// <summary>A str/dict/list method bound to its receiver, e.g. <c>message.content.strip</c>.</summary>
internal sealed class BoundMethod(object? receiver, string name, Func<object?, CallArgs, object?> body) : PyCallable
{
    public object? Receiver => receiver;

    public override string Name => name;

    public override object? Call(RenderContext context, CallArgs args) => body(receiver, args);
}
