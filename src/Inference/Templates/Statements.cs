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
        // jinja2 runs the else block unless some iteration reached the end of the body: an iteration left by
        // break or continue does not count (its generated code clears the flag after the body).
        var completed = false;
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
                var control = c.Control;
                c.Control = LoopControl.None;
                if (control == LoopControl.Break) break;
                if (control == LoopControl.None) completed = true;
            }
        }
        finally
        {
            c.Scope = outer;
        }
        if (!completed) InScope(c, new Scope(outer), otherwise);
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
