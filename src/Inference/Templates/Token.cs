namespace Pipeline.Inference.Templates;

internal enum TokenKind
{
    Data,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    Eof,
}

/// <summary>One lexer token; <see cref="Text"/> is the name, operator or data text, <see cref="Value"/> the
/// decoded literal of strings and numbers; <see cref="Pos"/> its offset in the normalised template text.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, object? Value, int Pos)
{
    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    public bool IsOp(string op) => Kind == TokenKind.Operator && Text == op;

    public string Describe() => Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.BlockBegin => "begin of statement block",
        TokenKind.VariableBegin => "begin of print statement",
        TokenKind.Data => "template data",
        TokenKind.String => "string",
        TokenKind.Integer or TokenKind.Float => "number",
        _ => Text,
    };
}
