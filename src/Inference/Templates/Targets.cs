namespace Pipeline.Inference.Templates;

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
