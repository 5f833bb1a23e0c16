namespace Pipeline.Inference.Templates;

/// <summary>Variables visible at one point of a render: a for-loop iteration, a macro call or a with block opens
/// a child scope; if-blocks do not (jinja2's scoping).</summary>
internal sealed class Scope(Scope? parent)
{
    private Dictionary<string, object?>? _vars;

    public Scope? Parent => parent;

    public void Set(string name, object? value) => (_vars ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;

    public bool TryLookup(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            if (scope._vars is not null && scope._vars.TryGetValue(name, out value)) return true;
        value = null;
        return false;
    }
}
