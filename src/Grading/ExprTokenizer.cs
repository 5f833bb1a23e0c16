namespace Pipeline.Grading;

internal enum TokenKind { Number, Letter, Command, Symbol }

internal readonly record struct Token(TokenKind Kind, string Text)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;
    public bool IsSymbol(char c) => Kind == TokenKind.Symbol && Text.Length == 1 && Text[0] == c;
}

/// <summary>Splits normalized LaTeX math into tokens. Letters are single characters (implicit multiplication: "xy" is x*y).</summary>
internal static class ExprTokenizer
{
    public static List<Token> Tokenize(string s, int maxTokens)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            if (tokens.Count > maxTokens) throw new GradingException($"more than {maxTokens} tokens");
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                var start = i;
                while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                if (i < s.Length && s[i] == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
                {
                    i++;
                    while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                }
                else if (i < s.Length && s[i] == '.' && (i + 1 == s.Length || !char.IsAsciiDigit(s[i + 1])) && i > start)
                {
                    i++; // "5." is 5
                }
                // Scientific notation written with e: 1.5e-3, 2E10 (an e followed by digits is never Euler's number times a number).
                if (i + 1 < s.Length && (s[i] == 'e' || s[i] == 'E'))
                {
                    var j = i + 1;
                    if (j < s.Length && (s[j] == '+' || s[j] == '-')) j++;
                    if (j < s.Length && char.IsAsciiDigit(s[j]))
                    {
                        while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
                        i = j;
                    }
                }
                tokens.Add(new Token(TokenKind.Number, s[start..i].TrimEnd('.')));
                continue;
            }
            if (c == '\\')
            {
                var j = i + 1;
                while (j < s.Length && char.IsAsciiLetter(s[j])) j++;
                if (j == i + 1)
                {
                    if (j >= s.Length) { i = j; continue; }
                    tokens.Add(new Token(TokenKind.Command, s[j].ToString()));
                    i = j + 1;
                    continue;
                }
                tokens.Add(new Token(TokenKind.Command, s[(i + 1)..j]));
                i = j;
                continue;
            }
            if (char.IsLetter(c) && c != 'π') { tokens.Add(new Token(TokenKind.Letter, c.ToString())); i++; continue; }
            switch (c)
            {
                case '·' or '×': tokens.Add(new Token(TokenKind.Symbol, "*")); break;
                case '÷': tokens.Add(new Token(TokenKind.Symbol, "/")); break;
                case '−' or '–': tokens.Add(new Token(TokenKind.Symbol, "-")); break;
                case '±': tokens.Add(new Token(TokenKind.Command, "pm")); break;
                case 'π': tokens.Add(new Token(TokenKind.Command, "pi")); break;
                case '∞': tokens.Add(new Token(TokenKind.Command, "infty")); break;
                case '√': tokens.Add(new Token(TokenKind.Command, "sqrt")); break;
                default: tokens.Add(new Token(TokenKind.Symbol, c.ToString())); break;
            }
            i++;
        }
        return tokens;
    }
}
