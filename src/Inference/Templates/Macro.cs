namespace Pipeline.Inference.Templates;

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
