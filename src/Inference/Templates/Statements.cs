namespace Pipeline.Inference.Templates;

/// <summary>A statement node of the template body.</summary>
internal abstract class Stmt(int pos)
{
    public int Pos { get; } = pos;

    public abstract void Exec(RenderContext c);

    public static void ExecBody(Stmt[] body, RenderContext c)
    {
        foreach (var stmt in body)
        {
            stmt.Exec(c);
            if (c.Control != LoopControl.None) return;
        }
    }

    /// <summary>Runs <paramref name="body"/> with <paramref name="scope"/> current, restoring the caller's scope.</summary>
    public static void InScope(RenderContext c, Scope scope, Stmt[] body)
    {
        var saved = c.Scope;
        c.Scope = scope;
        try
        {
            ExecBody(body, c);
        }
        finally
        {
            c.Scope = saved;
        }
    }
}

internal sealed class TextStmt(int pos, string text) : Stmt(pos)
{
    public override void Exec(RenderContext c) => c.Out.Append(text);
}

internal sealed class OutputStmt(Expr expr) : Stmt(expr.Pos)
{
    public override void Exec(RenderContext c)
    {
        var value = expr.Evaluate(c);
        try
        {
            c.Out.Append(PyOps.Str(value));
        }
        catch (TemplateRuntimeError e)
        {
            throw c.Map.Error(Pos, e.Message);
        }
    }
}

internal sealed class IfStmt(int pos, (Expr Test, Stmt[] Body)[] branches, Stmt[] otherwise) : Stmt(pos)
{
    public override void Exec(RenderContext c)
    {
        foreach (var (test, body) in branches)
            if (PyOps.Truthy(test.Evaluate(c)))
            {
                ExecBody(body, c);
                return;
            }
        ExecBody(otherwise, c);
    }
}

internal sealed class ForStmt(int pos, Target target, Expr iterable, Expr? filter, Stmt[] body, Stmt[] otherwise) : Stmt(pos)
{
    public override void Exec(RenderContext c)
    {
        var outer = c.Scope;
        var source = iterable.Evaluate(c);
        IEnumerable<object?> items;
        try
        {
            items = PyOps.Iterate(source);
        }
        catch (TemplateRuntimeError e)
        {
            throw c.Map.Error(iterable.Pos, e.Message);
        }
        if (filter is not null) items = Filtered(c, items, outer);
        var loop = new LoopContext(items.GetEnumerator());
        if (!loop.TryGet(0, out _))
        {
            InScope(c, new Scope(outer), otherwise);
            return;
        }
        try
        {
            for (var i = 0; loop.TryGet(i, out var item); i++)
            {
                // jinja2 gives every iteration fresh locals: a set inside the body never reaches the next one.
                var scope = new Scope(outer);
                scope.Set("loop", loop);
                loop.Index0 = i;
                c.Scope = scope;
                target.Assign(c, scope, item, Pos);
                ExecBody(body, c);
                if (c.Control == LoopControl.Break)
                {
                    c.Control = LoopControl.None;
                    break;
                }
                c.Control = LoopControl.None;
            }
        }
        finally
        {
            c.Scope = outer;
        }
    }

    /// <summary>The loop's <c>if</c> filter, run lazily (item by item, as the loop pulls them) in a scope of its
    /// own that sees the loop target but not the body's variables.</summary>
    private IEnumerable<object?> Filtered(RenderContext c, IEnumerable<object?> source, Scope outer)
    {
        foreach (var item in source)
        {
            var probe = new Scope(outer);
            var saved = c.Scope;
            bool keep;
            c.Scope = probe;
            try
            {
                target.Assign(c, probe, item, Pos);
                keep = PyOps.Truthy(filter!.Evaluate(c));
            }
            finally
            {
                c.Scope = saved;
            }
            if (keep) yield return item;
        }
    }
}

internal sealed class SetStmt(int pos, Target target, Expr value) : Stmt(pos)
{
    public override void Exec(RenderContext c) => target.Assign(c, c.Scope, value.Evaluate(c), Pos);
}

internal sealed class SetBlockStmt(int pos, Target target, FilterExpr[] filters, Stmt[] body) : Stmt(pos)
{
    public override void Exec(RenderContext c)
    {
        var savedOut = c.Out;
        c.Out = new System.Text.StringBuilder();
        try
        {
            InScope(c, new Scope(c.Scope), body);
            object? value = c.Out.ToString();
            c.Out = savedOut;
            foreach (var filter in filters) value = filter.Apply(c, value);
            target.Assign(c, c.Scope, value, Pos);
        }
        finally
        {
            c.Out = savedOut;
        }
    }
}

internal sealed class WithStmt(int pos, (Target Target, Expr Value)[] assignments, Stmt[] body) : Stmt(pos)
{
    public override void Exec(RenderContext c)
    {
        var values = assignments.Select(a => a.Value.Evaluate(c)).ToArray();
        var scope = new Scope(c.Scope);
        for (var i = 0; i < values.Length; i++) assignments[i].Target.Assign(c, scope, values[i], Pos);
        InScope(c, scope, body);
    }
}

/// <summary>transformers' <c>{% generation %}</c>: renders its body (the assistant-mask tracking is not needed).</summary>
internal sealed class ScopedBlockStmt(int pos, Stmt[] body) : Stmt(pos)
{
    public override void Exec(RenderContext c) => InScope(c, new Scope(c.Scope), body);
}

internal sealed class LoopControlStmt(int pos, LoopControl control) : Stmt(pos)
{
    public override void Exec(RenderContext c) => c.Control = control;
}

internal sealed class MacroStmt(int pos, MacroDefinition definition) : Stmt(pos)
{
    public override void Exec(RenderContext c) => c.Scope.Set(definition.Name, new Macro(definition, c.Scope));
}

internal sealed record MacroDefinition(string Name, string[] Parameters, Expr?[] Defaults, Stmt[] Body, int Pos, bool CatchVarargs, bool CatchKwargs);

/// <summary>A macro bound to the scope it was defined in; calling it renders its body to a string.</summary>
internal sealed class Macro(MacroDefinition definition, Scope closure) : PyCallable
{
    public override string Name => definition.Name;

    public override object? Call(RenderContext c, CallArgs args)
    {
        var parameters = definition.Parameters;
        if (args.Positional.Length > parameters.Length && !definition.CatchVarargs)
            throw new TemplateRuntimeError($"macro {PyRepr.Str(Name)} takes not more than {parameters.Length} argument(s)");
        var extraKeywords = new PyDict();
        foreach (var (key, value) in args.Keywords)
        {
            var at = Array.IndexOf(parameters, key);
            if (at < 0 && definition.CatchKwargs)
            {
                extraKeywords.Set(key, value);
                continue;
            }
            if (at < 0) throw new TemplateRuntimeError($"macro {PyRepr.Str(Name)} takes no keyword argument {PyRepr.Str(key)}");
            if (at < args.Positional.Length) throw new TemplateRuntimeError($"macro {PyRepr.Str(Name)} got multiple values for argument {PyRepr.Str(key)}");
        }
        if (c.MacroDepth >= RenderContext.MaxMacroDepth)
            throw new TemplateRuntimeError($"macro {PyRepr.Str(Name)} nested more than {RenderContext.MaxMacroDepth} calls deep");
        var scope = new Scope(closure);
        var savedScope = c.Scope;
        var savedOut = c.Out;
        var savedControl = c.Control;
        c.Scope = scope;
        c.Out = new System.Text.StringBuilder();
        c.MacroDepth++;
        try
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                object? value;
                if (!args.TryGet(i, parameters[i], out value))
                    value = definition.Defaults[i] is { } d ? d.Evaluate(c) : Undefined.WithHint($"parameter {PyRepr.Str(parameters[i])} was not provided");
                scope.Set(parameters[i], value);
            }
            if (definition.CatchVarargs) scope.Set("varargs", args.Positional.Skip(parameters.Length).ToArray());
            if (definition.CatchKwargs) scope.Set("kwargs", extraKeywords);
            Stmt.ExecBody(definition.Body, c);
            return c.Out.ToString();
        }
        finally
        {
            c.Scope = savedScope;
            c.Out = savedOut;
            c.Control = savedControl;
            c.MacroDepth--;
        }
    }
}

/// <summary>The left side of an assignment: a name, a tuple to unpack, or <c>ns.attr</c> of a namespace.</summary>
internal abstract class Target
{
    public abstract void Assign(RenderContext c, Scope scope, object? value, int pos);
}

internal sealed class NameTarget(string name) : Target
{
    public override void Assign(RenderContext c, Scope scope, object? value, int pos) => scope.Set(name, value);
}

internal sealed class TupleTarget(Target[] items) : Target
{
    public override void Assign(RenderContext c, Scope scope, object? value, int pos)
    {
        List<object?> values;
        try
        {
            values = PyOps.Iterate(value).ToList();
        }
        catch (TemplateRuntimeError e)
        {
            throw c.Map.Error(pos, $"cannot unpack non-iterable {PyOps.TypeName(value)} object ({e.Message})");
        }
        if (values.Count < items.Length)
            throw c.Map.Error(pos, $"not enough values to unpack (expected {items.Length}, got {values.Count})");
        if (values.Count > items.Length)
            throw c.Map.Error(pos, $"too many values to unpack (expected {items.Length})");
        for (var i = 0; i < items.Length; i++) items[i].Assign(c, scope, values[i], pos);
    }
}

internal sealed class NamespaceTarget(string name, string attribute) : Target
{
    public override void Assign(RenderContext c, Scope scope, object? value, int pos)
    {
        if (!c.Scope.TryLookup(name, out var ns) || ns is not Namespace namespaceObject)
            throw c.Map.Error(pos, "cannot assign attribute on non-namespace object");
        namespaceObject.Attributes.Set(attribute, value);
    }
}
