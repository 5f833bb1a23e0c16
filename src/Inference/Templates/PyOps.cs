using System.Globalization;
using System.Text;

namespace Pipeline.Inference.Templates;

/// <summary>Python's operators and conversions on template values, with the errors Python raises.</summary>
internal static class PyOps
{
    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        PyMarkup => "Markup",
        List<object?> => "list",
        object?[] => "tuple",
        PyDict => "dict",
        PyIterator it => it.TypeName,
        PyView view => view.TypeName,
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        Macro => "Macro",
        BoundMethod => "builtin_function_or_method",
        PyCallable => "function",
        _ => v.GetType().Name,
    };

    public static bool Truthy(object? v) => v switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        PyMarkup m => m.Value.Length > 0,
        List<object?> list => list.Count > 0,
        object?[] tuple => tuple.Length > 0,
        PyDict dict => dict.Count > 0,
        PyView view => view.Items.Count > 0,
        Undefined => false,
        _ => true,
    };

    /// <summary>Python's str(value), which is what <c>{{ value }}</c> prints.</summary>
    public static string Str(object? v) => v switch
    {
        string s => s,
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PyFloat.Repr(d),
        PyMarkup m => m.Value,
        Undefined => "",
        _ => Repr(v),
    };

    public static string Repr(object? v)
    {
        switch (v)
        {
            case string s: return PyRepr.Str(s);
            case PyMarkup m: return $"Markup({PyRepr.Str(m.Value)})";
            case List<object?> list: return "[" + string.Join(", ", list.Select(Repr)) + "]";
            case object?[] tuple: return tuple.Length == 1 ? $"({Repr(tuple[0])},)" : "(" + string.Join(", ", tuple.Select(Repr)) + ")";
            case PyDict dict: return "{" + string.Join(", ", dict.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}";
            case PyView view: return view.CustomRepr ?? $"{view.TypeName}([{string.Join(", ", view.Items.Select(Repr))}])";
            case Undefined: return "Undefined";
            case Namespace ns: return $"<Namespace {Repr(ns.Attributes)}>";
            case LoopContext loop: return $"<LoopContext {loop.Index0 + 1}/{loop.Length}>";
            case Macro macro: return $"<Macro {PyRepr.Str(macro.Name)}>";
            case PyIterator or PyCallable:
                throw new TemplateRuntimeError($"cannot print a {TypeName(v)} object: jinja2 prints its memory address here");
            default: return Str(v);
        }
    }

    public static object? Unwrap(object? v) => v is PyMarkup m ? m.Value : v;

    private static bool IsInt(object? v) => v is long or bool;

    private static bool IsNumber(object? v) => v is long or bool or double;

    public static long AsLong(object? v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateRuntimeError($"'{TypeName(v)}' object cannot be interpreted as an integer"),
    };

    public static double AsDouble(object? v) => v switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateRuntimeError($"must be real number, not {TypeName(v)}"),
    };

    public static bool Eq(object? a, object? b)
    {
        a = Unwrap(a);
        b = Unwrap(b);
        if (a is Undefined || b is Undefined) return a is Undefined && b is Undefined;
        if (IsNumber(a) && IsNumber(b))
            return IsInt(a) && IsInt(b) ? AsLong(a) == AsLong(b) : AsDouble(a) == AsDouble(b);
        switch (a)
        {
            case null: return b is null;
            case string s: return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case List<object?> x when b is List<object?> y: return SequenceEq(x, y);
            case object?[] x when b is object?[] y: return SequenceEq(x, y);
            case PyDict x when b is PyDict y:
                if (x.Count != y.Count) return false;
                foreach (var (key, value) in x)
                    if (!y.TryGet(key, out var other) || !Eq(value, other)) return false;
                return true;
            default: return ReferenceEquals(a, b);
        }
    }

    private static bool SequenceEq(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count) return false;
        for (var i = 0; i < x.Count; i++)
            if (!Eq(x[i], y[i])) return false;
        return true;
    }

    /// <summary>Ordering for &lt; &lt;= &gt; &gt;=, sort, min and max; <paramref name="op"/> names the operator in errors.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        a = Unwrap(a);
        b = Unwrap(b);
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        if (IsNumber(a) && IsNumber(b))
            return IsInt(a) && IsInt(b) ? AsLong(a).CompareTo(AsLong(b)) : AsDouble(a).CompareTo(AsDouble(b));
        if (a is string s && b is string t) return PyText.Compare(s, t);
        if ((a is List<object?> && b is List<object?>) || (a is object?[] && b is object?[]))
        {
            var x = (IReadOnlyList<object?>)a;
            var y = (IReadOnlyList<object?>)b;
            for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
                if (!Eq(x[i], y[i])) return Compare(x[i], y[i], op);
            return x.Count.CompareTo(y.Count);
        }
        throw new TemplateRuntimeError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    private static TemplateRuntimeError Unsupported(string op, object? a, object? b) =>
        new($"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");

    private static void FailUndefined(object? a, object? b)
    {
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
    }

    public static object? Add(object? a, object? b)
    {
        FailUndefined(a, b);
        if (a is PyMarkup ma && Unwrap(b) is string sb) return new PyMarkup(ma.Value + (b is PyMarkup ? sb : Escape(sb)));
        if (b is PyMarkup mb && a is string sa) return new PyMarkup(Escape(sa) + mb.Value);
        if (IsInt(a) && IsInt(b)) return checked(AsLong(a) + AsLong(b));
        if (IsNumber(a) && IsNumber(b)) return AsDouble(a) + AsDouble(b);
        return (a, b) switch
        {
            (string x, string y) => x + y,
            (List<object?> x, List<object?> y) => x.Concat(y).ToList(),
            (object?[] x, object?[] y) => x.Concat(y).ToArray(),
            (string, _) => throw new TemplateRuntimeError($"can only concatenate str (not \"{TypeName(b)}\") to str"),
            (List<object?>, _) => throw new TemplateRuntimeError($"can only concatenate list (not \"{TypeName(b)}\") to list"),
            _ => throw Unsupported("+", a, b),
        };
    }

    public static object? Sub(object? a, object? b)
    {
        FailUndefined(a, b);
        if (IsInt(a) && IsInt(b)) return checked(AsLong(a) - AsLong(b));
        if (IsNumber(a) && IsNumber(b)) return AsDouble(a) - AsDouble(b);
        throw Unsupported("-", a, b);
    }

    public static object? Mul(object? a, object? b)
    {
        FailUndefined(a, b);
        if (IsInt(a) && IsInt(b)) return checked(AsLong(a) * AsLong(b));
        if (IsNumber(a) && IsNumber(b)) return AsDouble(a) * AsDouble(b);
        if (IsInt(b) && Repeat(a, AsLong(b)) is { } r1) return r1;
        if (IsInt(a) && Repeat(b, AsLong(a)) is { } r2) return r2;
        if (Repeat(a, 0) is not null || Repeat(b, 0) is not null)
            throw new TemplateRuntimeError($"can't multiply sequence by non-int of type '{TypeName(Repeat(a, 0) is not null ? b : a)}'");
        throw Unsupported("*", a, b);
    }

    private static object? Repeat(object? seq, long times)
    {
        var n = (int)Math.Max(0, times);
        return Unwrap(seq) switch
        {
            string s => string.Concat(Enumerable.Repeat(s, n)),
            List<object?> list => Enumerable.Repeat(list, n).SelectMany(x => x).ToList(),
            object?[] tuple => Enumerable.Repeat(tuple, n).SelectMany(x => x).ToArray(),
            _ => null,
        };
    }

    public static object? Div(object? a, object? b)
    {
        FailUndefined(a, b);
        if (!IsNumber(a) || !IsNumber(b)) throw Unsupported("/", a, b);
        var y = AsDouble(b);
        if (y == 0) throw new TemplateRuntimeError(IsInt(a) && IsInt(b) ? "division by zero" : "float division by zero");
        return AsDouble(a) / y;
    }

    public static object? FloorDiv(object? a, object? b)
    {
        FailUndefined(a, b);
        if (IsInt(a) && IsInt(b))
        {
            long x = AsLong(a), y = AsLong(b);
            if (y == 0) throw new TemplateRuntimeError("integer division or modulo by zero");
            var q = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
            return q;
        }
        if (IsNumber(a) && IsNumber(b))
        {
            var y = AsDouble(b);
            if (y == 0) throw new TemplateRuntimeError("float floor division by zero");
            return FloatDivMod(AsDouble(a), y).Div;
        }
        throw Unsupported("//", a, b);
    }

    public static object? Mod(object? a, object? b)
    {
        FailUndefined(a, b);
        if (Unwrap(a) is string format) return PyFormat.Printf(format, b);
        if (IsInt(a) && IsInt(b))
        {
            long x = AsLong(a), y = AsLong(b);
            if (y == 0) throw new TemplateRuntimeError("integer modulo by zero");
            var r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            return r;
        }
        if (IsNumber(a) && IsNumber(b))
        {
            double x = AsDouble(a), y = AsDouble(b);
            if (y == 0) throw new TemplateRuntimeError("float modulo");
            return FloatDivMod(x, y).Mod;
        }
        throw Unsupported("%", a, b);
    }

    /// <summary>CPython's float divmod (floatobject.c), so // and % agree with Python to the last bit.</summary>
    private static (double Div, double Mod) FloatDivMod(double vx, double wx)
    {
        var mod = vx % wx;
        var div = (vx - mod) / wx;
        if (mod != 0)
        {
            if ((wx < 0) != (mod < 0))
            {
                mod += wx;
                div -= 1.0;
            }
        }
        else mod = Math.CopySign(0.0, wx);
        double floorDiv;
        if (div != 0)
        {
            floorDiv = Math.Floor(div);
            if (div - floorDiv > 0.5) floorDiv += 1.0;
        }
        else floorDiv = Math.CopySign(0.0, vx / wx);
        return (floorDiv, mod);
    }

    public static object? Pow(object? a, object? b)
    {
        FailUndefined(a, b);
        if (IsInt(a) && IsInt(b) && AsLong(b) >= 0)
        {
            long x = AsLong(a), e = AsLong(b), result = 1;
            while (e > 0)
            {
                if ((e & 1) == 1) result = checked(result * x);
                e >>= 1;
                if (e > 0) x = checked(x * x);
            }
            return result;
        }
        if (IsNumber(a) && IsNumber(b))
        {
            double x = AsDouble(a), y = AsDouble(b);
            if (x == 0 && y < 0) throw new TemplateRuntimeError("0.0 cannot be raised to a negative power");
            if (x < 0 && y != Math.Floor(y) && double.IsFinite(y))
                throw new TemplateRuntimeError("a negative number to a fractional power is complex in Python, which is not supported");
            return Math.Pow(x, y);
        }
        throw Unsupported("** or pow()", a, b);
    }

    public static object? Neg(object? a) => a switch
    {
        Undefined u => throw u.Fail(),
        long or bool => (object)checked(-AsLong(a)),
        double d => -d,
        _ => throw new TemplateRuntimeError($"bad operand type for unary -: '{TypeName(a)}'"),
    };

    public static object? Pos(object? a) => a switch
    {
        Undefined u => throw u.Fail(),
        long or bool => (object)AsLong(a),
        double d => d,
        _ => throw new TemplateRuntimeError($"bad operand type for unary +: '{TypeName(a)}'"),
    };

    public static bool Contains(object? container, object? item)
    {
        container = Unwrap(container);
        switch (container)
        {
            case Undefined: return false;
            case string s:
                return Unwrap(item) is string sub
                    ? s.Contains(sub, StringComparison.Ordinal)
                    : throw new TemplateRuntimeError($"'in <string>' requires string as left operand, not {TypeName(item)}");
            case List<object?> list: return list.Any(x => Eq(x, item));
            case object?[] tuple: return tuple.Any(x => Eq(x, item));
            case PyDict dict: return dict.ContainsKey(item);
            case PyView view: return view.Items.Any(x => Eq(x, item));
            case PyIterator it: return it.Drain().Any(x => Eq(x, item));
            default: throw new TemplateRuntimeError($"argument of type '{TypeName(container)}' is not iterable");
        }
    }

    public static IEnumerable<object?> Iterate(object? v) => Unwrap(v) switch
    {
        List<object?> list => list,
        object?[] tuple => tuple,
        string s => PyText.CodePoints(s),
        PyDict dict => dict.Keys,
        PyView view => view.Items,
        PyIterator it => it.Drain(),
        Undefined => [],
        _ => throw new TemplateRuntimeError($"'{TypeName(v)}' object is not iterable"),
    };

    public static long Len(object? v) => Unwrap(v) switch
    {
        string s => PyText.Length(s),
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        PyDict dict => dict.Count,
        PyView view => view.Items.Count,
        Undefined => 0,
        _ => throw new TemplateRuntimeError($"object of type '{TypeName(v)}' has no len()"),
    };

    /// <summary><c>obj.name</c> in the immutable sandbox: a method of the type first, then the dict key.</summary>
    public static object? GetAttr(object? obj, string name)
    {
        switch (obj)
        {
            case Undefined u: throw u.Fail();
            case PyDict dict:
                if (PyMethods.Lookup(dict, name) is { } dictMethod) return dictMethod;
                return dict.TryGet(name, out var value) ? value : Undefined.Member(obj, name);
            case Namespace ns:
                return ns.Attributes.TryGet(name, out var attr) ? attr : Undefined.Member(obj, name);
            case LoopContext loop:
                return loop.Get(name);
            default:
                return PyMethods.Lookup(obj, name) ?? Undefined.Member(obj, name);
        }
    }

    /// <summary><c>obj[key]</c> in the sandbox: the item, else (for a string key) the attribute, else undefined.</summary>
    public static object? GetItem(object? obj, object? key)
    {
        switch (obj)
        {
            case Undefined u: throw u.Fail();
            case PyDict dict:
                if (!IsUnhashable(key) && dict.TryGet(key, out var value)) return value;
                break;
            case List<object?> list when IsInt(key):
                return Index(list, AsLong(key), out var item) ? item : Undefined.Member(obj, key);
            case object?[] tuple when IsInt(key):
                return Index(tuple, AsLong(key), out var titem) ? titem : Undefined.Member(obj, key);
            case string s when IsInt(key):
                return PyText.At(s, AsLong(key)) ?? (object)Undefined.Member(obj, key);
            case PyMarkup m when IsInt(key):
                return PyText.At(m.Value, AsLong(key)) ?? (object)Undefined.Member(obj, key);
            case PyView { Indexable: true } range when IsInt(key):
                return Index(range.Items, AsLong(key), out var ritem) ? ritem : Undefined.Member(obj, key);
        }
        if (key is string name)
        {
            var attr = obj is PyDict d ? PyMethods.Lookup(d, name) : GetAttr(obj, name);
            if (attr is not null && attr is not Undefined) return attr;
            if (attr is Undefined { Hint: not null }) return attr;
        }
        return Undefined.Member(obj, key);
    }

    private static bool IsUnhashable(object? key)
    {
        try
        {
            PyKeyComparer.CheckHashable(key);
            return false;
        }
        catch (TemplateRuntimeError)
        {
            return true;
        }
    }

    private static bool Index(IReadOnlyList<object?> list, long index, out object? item)
    {
        if (index < 0) index += list.Count;
        if (index >= 0 && index < list.Count)
        {
            item = list[(int)index];
            return true;
        }
        item = null;
        return false;
    }

    public static object? Slice(object? obj, object? start, object? stop, object? step)
    {
        long? Bound(object? v) => v switch
        {
            null => null,
            long or bool => AsLong(v),
            _ => throw new TemplateRuntimeError("slice indices must be integers or None or have an __index__ method"),
        };
        var (a, b, c) = (Bound(start), Bound(stop), Bound(step));
        switch (obj)
        {
            case Undefined u: throw u.Fail();
            case string s: return PyText.Slice(s, a, b, c);
            case PyMarkup m: return new PyMarkup(PyText.Slice(m.Value, a, b, c));
            case List<object?> list: return PySlice.Range(list.Count, a, b, c).Select(i => list[i]).ToList();
            case object?[] tuple: return PySlice.Range(tuple.Length, a, b, c).Select(i => tuple[i]).ToArray();
            case PyView { Indexable: true }:
                throw new TemplateRuntimeError("slicing a range() is not supported by this chat-template interpreter");
            case PyDict: throw new TemplateRuntimeError("unhashable type: 'slice'");
            default: throw new TemplateRuntimeError($"'{TypeName(obj)}' object is not subscriptable");
        }
    }

    public static object? Call(RenderContext context, object? callee, CallArgs args) => callee switch
    {
        PyCallable f => f.Call(context, args),
        Undefined u => throw u.Fail(),
        _ => throw new TemplateRuntimeError($"'{TypeName(callee)}' object is not callable"),
    };

    /// <summary>markupsafe.escape of a plain string.</summary>
    public static string Escape(string s)
    {
        if (s.AsSpan().IndexOfAny("&<>'\"") < 0) return s;
        var sb = new StringBuilder(s.Length + 16);
        foreach (var c in s)
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '\'' => "&#39;",
                '"' => "&#34;",
                _ => c.ToString(),
            });
        return sb.ToString();
    }
}
