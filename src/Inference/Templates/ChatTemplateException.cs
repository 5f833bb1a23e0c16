namespace Pipeline.Inference.Templates;

/// <summary>A chat template that cannot be parsed or rendered: unsupported syntax, a runtime error as jinja2 would
/// raise it, or the template's own <c>raise_exception(msg)</c>. The message names source, line and column.</summary>
public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException(string sourceName, int line, int column, string reason)
        : base($"{sourceName}:{line}:{column}: {reason}")
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The template's name as given to Parse (a file path for Load).</summary>
    public string SourceName { get; }

    /// <summary>1-based line in the template text.</summary>
    public int Line { get; }

    /// <summary>1-based column in the template text.</summary>
    public int Column { get; }

    /// <summary>The error without its location (for raise_exception: the template's message itself).</summary>
    public string Reason { get; }
}
