using System.Text;

namespace Pipeline.Inference.Templates;

internal enum LoopControl
{
    None,
    Break,
    Continue,
}

/// <summary>The state of one render; a parsed template is shared, every render has its own context.</summary>
internal sealed class RenderContext(ChatTemplateOptions options, SourceMap map, Scope scope)
{
    public const int MaxMacroDepth = 200;

    public StringBuilder Out { get; set; } = new();

    public Scope Scope { get; set; } = scope;

    public LoopControl Control { get; set; }

    public ChatTemplateOptions Options => options;

    public SourceMap Map => map;

    public int MacroDepth { get; set; }
}
