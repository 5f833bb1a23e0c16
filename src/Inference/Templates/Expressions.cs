namespace Pipeline.Inference.Templates;

/// <summary>An expression node. <see cref="Evaluate"/> turns a runtime failure into a
/// <see cref="ChatTemplateException"/> at the innermost failing node.</summary>
internal abstract class Expr(int pos)
{
    public int Pos { get; } = pos;

    public object? Evaluate(RenderContext c)
    {
        try
        {
            return Eval(c);
        }
        catch (TemplateRuntimeError e)
        {
            throw c.Map.Error(Pos, e.Message);
        }
        catch (OverflowException)
        {
            throw c.Map.Error(Pos, "integer overflow: values beyond 64 bits are not supported");
        }
    }

    protected abstract object? Eval(RenderContext c);
}

internal sealed class ConstExpr(int pos, object? value) : Expr(pos)
{
    public object? Value => value;

    protected override object? Eval(RenderContext c) => value;
}

internal sealed class NameExpr(int pos, string name) : Expr(pos)
{
    public string Name => name;

    protected override object? Eval(RenderContext c) => c.Scope.TryLookup(name, out var v) ? v : Undefined.Named(name);
}

internal sealed class ListExpr(int pos, Expr[] items) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var list = new List<object?>(items.Length);
        foreach (var item in items) list.Add(item.Evaluate(c));
        return list;
    }
}

internal sealed class TupleExpr(int pos, Expr[] items) : Expr(pos)
{
    public Expr[] Items => items;

    protected override object? Eval(RenderContext c)
    {
        var tuple = new object?[items.Length];
        for (var i = 0; i < items.Length; i++) tuple[i] = items[i].Evaluate(c);
        return tuple;
    }
}

internal sealed class DictExpr(int pos, (Expr Key, Expr Value)[] pairs) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var dict = new PyDict();
        foreach (var (key, value) in pairs) dict.Set(key.Evaluate(c), value.Evaluate(c));
        return dict;
    }
}

internal sealed class GetAttrExpr(int pos, Expr target, string name) : Expr(pos)
{
    protected override object? Eval(RenderContext c) => PyOps.GetAttr(target.Evaluate(c), name);
}

internal sealed class SliceExpr(int pos, Expr? start, Expr? stop, Expr? step) : Expr(pos)
{
    public (object? Start, object? Stop, object? Step) Bounds(RenderContext c) =>
        (start?.Evaluate(c), stop?.Evaluate(c), step?.Evaluate(c));

    protected override object? Eval(RenderContext c) =>
        throw new TemplateRuntimeError("a slice is only valid inside a subscript");
}

internal sealed class GetItemExpr(int pos, Expr target, Expr key) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var obj = target.Evaluate(c);
        if (key is SliceExpr slice)
        {
            var (a, b, s) = slice.Bounds(c);
            return PyOps.Slice(obj, a, b, s);
        }
        return PyOps.GetItem(obj, key.Evaluate(c));
    }
}

internal sealed record Arguments(Expr[] Positional, (string Name, Expr Value)[] Keywords)
{
    public static readonly Arguments Empty = new([], []);

    public CallArgs Evaluate(RenderContext c)
    {
        if (Positional.Length == 0 && Keywords.Length == 0) return CallArgs.None;
        var pos = new object?[Positional.Length];
        for (var i = 0; i < pos.Length; i++) pos[i] = Positional[i].Evaluate(c);
        var kw = new (string, object?)[Keywords.Length];
        for (var i = 0; i < kw.Length; i++) kw[i] = (Keywords[i].Name, Keywords[i].Value.Evaluate(c));
        return new CallArgs(pos, kw);
    }
}

internal sealed class CallExpr(int pos, Expr callee, Arguments args) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var f = callee.Evaluate(c);
        return PyOps.Call(c, f, args.Evaluate(c));
    }
}

internal sealed class FilterExpr(int pos, Expr? input, string name, Arguments args) : Expr(pos)
{
    public Expr? Input => input;

    public object? Apply(RenderContext c, object? value)
    {
        try
        {
            return JinjaFilters.Apply(c, name, value, args.Evaluate(c));
        }
        catch (TemplateRuntimeError e)
        {
            throw c.Map.Error(Pos, e.Message);
        }
    }

    protected override object? Eval(RenderContext c) => Apply(c, input!.Evaluate(c));
}

internal sealed class TestExpr(int pos, Expr input, string name, Arguments args) : Expr(pos)
{
    protected override object? Eval(RenderContext c) => JinjaTests.Apply(c, name, input.Evaluate(c), args.Evaluate(c));
}

internal sealed class NotExpr(int pos, Expr operand) : Expr(pos)
{
    protected override object? Eval(RenderContext c) => !PyOps.Truthy(operand.Evaluate(c));
}

internal sealed class NegExpr(int pos, Expr operand, bool negative) : Expr(pos)
{
    protected override object? Eval(RenderContext c) => negative ? PyOps.Neg(operand.Evaluate(c)) : PyOps.Pos(operand.Evaluate(c));
}

internal sealed class BinaryExpr(int pos, string op, Expr left, Expr right) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var a = left.Evaluate(c);
        var b = right.Evaluate(c);
        return op switch
        {
            "+" => PyOps.Add(a, b),
            "-" => PyOps.Sub(a, b),
            "*" => PyOps.Mul(a, b),
            "/" => PyOps.Div(a, b),
            "//" => PyOps.FloorDiv(a, b),
            "%" => PyOps.Mod(a, b),
            "**" => PyOps.Pow(a, b),
            _ => throw new InvalidOperationException(op),
        };
    }
}

internal sealed class ConcatExpr(int pos, Expr[] parts) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var part in parts) sb.Append(PyOps.Str(part.Evaluate(c)));
        return sb.ToString();
    }
}

internal sealed class CompareExpr(int pos, Expr first, (string Op, Expr Operand)[] rest) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var left = first.Evaluate(c);
        foreach (var (op, operand) in rest)
        {
            var right = operand.Evaluate(c);
            var ok = op switch
            {
                "==" => PyOps.Eq(left, right),
                "!=" => !PyOps.Eq(left, right),
                "<" => PyOps.Compare(left, right, op) < 0,
                "<=" => PyOps.Compare(left, right, op) <= 0,
                ">" => PyOps.Compare(left, right, op) > 0,
                ">=" => PyOps.Compare(left, right, op) >= 0,
                "in" => PyOps.Contains(right, left),
                "notin" => !PyOps.Contains(right, left),
                _ => throw new InvalidOperationException(op),
            };
            if (!ok) return false;
            left = right;
        }
        return true;
    }
}

internal sealed class AndExpr(int pos, Expr left, Expr right) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var a = left.Evaluate(c);
        return PyOps.Truthy(a) ? right.Evaluate(c) : a;
    }
}

internal sealed class OrExpr(int pos, Expr left, Expr right) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        var a = left.Evaluate(c);
        return PyOps.Truthy(a) ? a : right.Evaluate(c);
    }
}

internal sealed class CondExpr(int pos, Expr test, Expr then, Expr? otherwise) : Expr(pos)
{
    protected override object? Eval(RenderContext c)
    {
        if (PyOps.Truthy(test.Evaluate(c))) return then.Evaluate(c);
        if (otherwise is not null) return otherwise.Evaluate(c);
        var (line, _) = c.Map.Locate(Pos);
        return Undefined.WithHint($"the inline if-expression on line {line} evaluated to false and no else section was defined.");
    }
}
