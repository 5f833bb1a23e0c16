namespace Pipeline.Inference.Templates;

/// <summary>Turns offsets in the (newline-normalised) template text into line and column for error messages.</summary>
internal sealed class SourceMap
{
    private readonly int[] _lineStarts;

    public SourceMap(string name, string text)
    {
        Name = name;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
            if (text[i] == '\n') starts.Add(i + 1);
        _lineStarts = starts.ToArray();
    }

    public string Name { get; }

    public (int Line, int Column) Locate(int offset)
    {
        var index = Array.BinarySearch(_lineStarts, offset);
        if (index < 0) index = ~index - 1;
        return (index + 1, offset - _lineStarts[index] + 1);
    }

    public ChatTemplateException Error(int offset, string reason)
    {
        var (line, column) = Locate(offset);
        return new ChatTemplateException(Name, line, column, reason);
    }
}
