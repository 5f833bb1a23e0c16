using System.Globalization;
using System.Numerics;

namespace Pipeline.Grading;

/// <summary>Recursive-descent parser from normalized LaTeX math to <see cref="Expr"/>.</summary>
/// <remarks>
/// Grammar, loosest first: sum (+ - \pm) > product (* \cdot \times / \div, implicit juxtaposition) > unary minus > power (^, right
/// associative) > postfix ! > atom. An integer literal directly followed by a fraction of integers is a mixed number
/// ("1\frac{4}{5}" is 9/5), as MATH writes them. "e" is Euler's number and "i" the imaginary unit.
/// </remarks>
internal sealed class ExprParser
{
    private const int MaxTokens = 600;
    private const int MaxDepth = 80;

    private static readonly HashSet<string> ExplicitTimes = ["cdot", "times", "ast"];
    private static readonly HashSet<string> NonValueCommands =
    [
        "cdot", "times", "ast", "div", "pm", "mp", "le", "leq", "ge", "geq", "lt", "gt", "ne", "neq", "approx", "in", "cup", "cap",
        "to", "rightarrow", "Rightarrow", "implies", "iff", "setminus", "and", "or", "{", "}", "|", ",", "colon", "end", "begin",
    ];

    // A function after a function's argument starts a new factor: "\sin x \cos y" is sin(x)·cos(y).
    private static readonly HashSet<string> FunctionCommands =
    [
        "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "log", "ln", "lg", "exp",
    ];

    private readonly List<Token> _tokens;
    private readonly GradeBudget _budget;
    private int _pos;
    private int _depth;
    private int _absDepth;

    private ExprParser(List<Token> tokens, GradeBudget budget)
    {
        _tokens = tokens;
        _budget = budget;
    }

    /// Parses the whole text; throws <see cref="GradingException"/> when it is not one expression.
    public static Expr Parse(string text, GradeBudget budget)
    {
        var parser = new ExprParser(ExprTokenizer.Tokenize(text, MaxTokens), budget);
        if (parser._tokens.Count == 0) throw new GradingException("empty expression");
        var e = parser.ParseSum();
        if (parser._pos != parser._tokens.Count) throw new GradingException($"unexpected '{parser._tokens[parser._pos].Text}'");
        return e;
    }

    public static bool TryParse(string text, GradeBudget budget, out Expr? expr)
    {
        try
        {
            expr = Parse(text, budget);
            return true;
        }
        catch (GradingException)
        {
            expr = null;
            return false;
        }
    }

    private Token? Peek => _pos < _tokens.Count ? _tokens[_pos] : null;

    private Token Next()
    {
        if (_pos >= _tokens.Count) throw new GradingException("unexpected end");
        return _tokens[_pos++];
    }

    private void Expect(char symbol)
    {
        var t = Next();
        if (!t.IsSymbol(symbol)) throw new GradingException($"expected '{symbol}' but found '{t.Text}'");
    }

    private Expr ParseSum()
    {
        Enter();
        var left = ParseProduct();
        while (Peek is { } t)
        {
            BinaryOp op;
            if (t.IsSymbol('+')) op = BinaryOp.Add;
            else if (t.IsSymbol('-')) op = BinaryOp.Sub;
            else if (t.Kind == TokenKind.Command && t.Text is "pm" or "mp") op = BinaryOp.PlusMinus;
            else break;
            _pos++;
            left = new Binary(op, left, ParseProduct());
        }
        _depth--;
        return left;
    }

    private Expr ParseProduct()
    {
        var startToken = Peek;
        var startPos = _pos;
        var left = ParseUnary();
        var leftIsIntegerLiteral = startToken is { Kind: TokenKind.Number } st && !st.Text.Contains('.') && _pos == startPos + 1;
        while (Peek is { } t)
        {
            _budget.Step();
            if (t.IsSymbol('*') || (t.Kind == TokenKind.Command && ExplicitTimes.Contains(t.Text)))
            {
                _pos++;
                left = new Binary(BinaryOp.Mul, left, ParseUnary());
            }
            else if (t.IsSymbol('/') || t.Is(TokenKind.Command, "div"))
            {
                _pos++;
                left = new Binary(BinaryOp.Div, left, ParseUnary());
            }
            else if (StartsAtom(t))
            {
                var right = ParsePower();
                left = leftIsIntegerLiteral && t.Is(TokenKind.Command, "frac") && IsFractionOfIntegers(right)
                    ? new Binary(BinaryOp.Add, left, right)
                    : new Binary(BinaryOp.Mul, left, right);
            }
            else break;
            leftIsIntegerLiteral = false;
        }
        return left;
    }

    private static bool IsFractionOfIntegers(Expr e) =>
        e is Binary { Op: BinaryOp.Div, Left: Num a, Right: Num b } && IsNonNegativeInteger(a.Value) && IsNonNegativeInteger(b.Value);

    private static bool IsNonNegativeInteger(Complex v) => v.Imaginary == 0 && v.Real >= 0 && v.Real == System.Math.Floor(v.Real);

    private bool StartsAtom(Token t) => t.Kind switch
    {
        TokenKind.Number or TokenKind.Letter => true,
        TokenKind.Command => !NonValueCommands.Contains(t.Text),
        TokenKind.Symbol => t.Text is "(" or "{" or "[" || (t.Text == "|" && _absDepth == 0),
        _ => false,
    };

    private Expr ParseUnary()
    {
        if (Peek is { } t)
        {
            if (t.IsSymbol('-')) { _pos++; return new Neg(ParseUnary()); }
            if (t.IsSymbol('+')) { _pos++; return ParseUnary(); }
            if (t.Kind == TokenKind.Command && t.Text is "pm" or "mp") { _pos++; return new UnaryPlusMinus(ParseUnary()); }
        }
        return ParsePower();
    }

    private Expr ParsePower()
    {
        var b = ParsePostfix();
        if (Peek is { } t && t.IsSymbol('^'))
        {
            _pos++;
            return new Binary(BinaryOp.Pow, b, ParseExponent());
        }
        return b;
    }

    /// "x^23" in LaTeX is x^2 * 3: an unbraced exponent is one character.
    private Expr ParseExponent()
    {
        var t = Peek ?? throw new GradingException("missing exponent");
        if (t.Kind == TokenKind.Number && t.Text.Length > 1)
        {
            _tokens[_pos] = new Token(TokenKind.Number, t.Text[1..]);
            return new Num(new Complex(t.Text[0] - '0', 0));
        }
        if (t.IsSymbol('-')) { _pos++; return new Neg(ParseExponent()); }
        return ParsePower();
    }

    private Expr ParsePostfix()
    {
        var e = ParseAtom();
        while (Peek is { } t && t.IsSymbol('!'))
        {
            _pos++;
            e = new Func("fact", e);
        }
        return e;
    }

    private Expr ParseAtom()
    {
        _budget.Step();
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Number:
                return ParseNumber(t.Text);
            case TokenKind.Letter:
                return ParseLetter(t.Text);
            case TokenKind.Symbol when t.Text is "(" or "[" or "{":
            {
                var close = t.Text switch { "(" => ')', "[" => ']', _ => '}' };
                var inner = ParseSum();
                Expect(close);
                return inner;
            }
            case TokenKind.Symbol when t.Text == "|":
            {
                _absDepth++;
                var inner = ParseSum();
                _absDepth--;
                Expect('|');
                return new Func("abs", inner);
            }
            case TokenKind.Command:
                return ParseCommand(t.Text);
            default:
                throw new GradingException($"unexpected '{t.Text}'");
        }
    }

    private Expr ParseNumber(string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) throw new GradingException($"bad number {text}");
        // "204_5": a numeral in another base stays an opaque symbol, equal only to itself.
        if (Peek is { } t && t.IsSymbol('_')) return new Var(text + "_" + ReadSubscript());
        return new Num(new Complex(v, 0));
    }

    private Expr ParseLetter(string letter)
    {
        if (Peek is { } t && t.IsSymbol('_')) return new Var(letter + "_" + ReadSubscript());
        return letter switch
        {
            "e" => new Num(new Complex(System.Math.E, 0)),
            "i" => new Num(Complex.ImaginaryOne),
            _ => new Var(letter),
        };
    }

    /// Reads "_x" or "_{...}" and returns the subscript's text without spaces.
    private string ReadSubscript()
    {
        _pos++; // '_'
        var t = Next();
        if (!t.IsSymbol('{')) return t.Text;
        var parts = new List<string>();
        var depth = 1;
        while (true)
        {
            var u = Next();
            if (u.IsSymbol('{')) depth++;
            else if (u.IsSymbol('}') && --depth == 0) break;
            parts.Add(u.Text);
        }
        return string.Concat(parts);
    }

    private Expr ParseGroup()
    {
        if (Peek is { } t && t.IsSymbol('{'))
        {
            _pos++;
            var e = ParseSum();
            Expect('}');
            return e;
        }
        // Unbraced single-token argument: \frac12 reaches here only when normalization did not brace it.
        return ParseAtom();
    }

    private Expr ParseCommand(string name)
    {
        switch (name)
        {
            case "frac":
            {
                var num = ParseGroup();
                var den = ParseGroup();
                return new Binary(BinaryOp.Div, num, den);
            }
            case "binom" or "dbinom" or "tbinom":
            {
                var n = ParseGroup();
                var k = ParseGroup();
                return new Binary(BinaryOp.Div, new Func("fact", n),
                    new Binary(BinaryOp.Mul, new Func("fact", k), new Func("fact", new Binary(BinaryOp.Sub, n, k))));
            }
            case "sqrt":
            {
                if (Peek is { } t && t.IsSymbol('['))
                {
                    _pos++;
                    var degree = ParseSum();
                    Expect(']');
                    return new Root(degree, ParseGroup());
                }
                return new Func("sqrt", ParseGroup());
            }
            case "pi":
                return new Num(new Complex(System.Math.PI, 0));
            case "infty" or "infinity" or "inf":
                return new Num(new Complex(double.PositiveInfinity, 0));
            case "exp":
                return new Func("exp", ParseFunctionArgument());
            case "log" or "ln" or "lg":
                return ParseLog(name);
            case "arcsin" or "arccos" or "arctan" or "sin" or "cos" or "tan" or "cot" or "sec" or "csc" or "sinh" or "cosh" or "tanh":
                return ParseTrig(name);
            case "lfloor":
                return ParseDelimited("floor", "rfloor");
            case "lceil":
                return ParseDelimited("ceil", "rceil");
            default:
                if (NonValueCommands.Contains(name)) throw new GradingException($"unexpected \\{name}");
                // Greek letters, \overline{AB}, ...: a named symbol.
                if (Peek is { } g && g.IsSymbol('{'))
                {
                    var start = _pos;
                    ParseRawGroup();
                    name += "{" + string.Concat(_tokens.Skip(start + 1).Take(_pos - start - 2).Select(x => x.Text)) + "}";
                }
                if (Peek is { } s && s.IsSymbol('_')) name += "_" + ReadSubscript();
                return new Var("\\" + name);
        }
    }

    private void ParseRawGroup()
    {
        var depth = 0;
        do
        {
            var t = Next();
            if (t.IsSymbol('{')) depth++;
            else if (t.IsSymbol('}')) depth--;
        } while (depth > 0);
    }

    private Expr ParseDelimited(string func, string closer)
    {
        var inner = ParseSum();
        var t = Next();
        if (!t.Is(TokenKind.Command, closer)) throw new GradingException($"expected \\{closer}");
        return new Func(func, inner);
    }

    private Expr ParseLog(string name)
    {
        Expr? logBase = name == "lg" ? new Num(new Complex(10, 0)) : null;
        if (Peek is { } t && t.IsSymbol('_'))
        {
            _pos++;
            logBase = ParseGroupOrSingleDigit();
        }
        var arg = ParseFunctionArgument();
        var ln = new Func("ln", arg);
        return logBase is null ? ln : new Binary(BinaryOp.Div, ln, new Func("ln", logBase));
    }

    private Expr ParseGroupOrSingleDigit()
    {
        var t = Peek ?? throw new GradingException("missing subscript");
        if (t.Kind == TokenKind.Number && t.Text.Length > 1)
        {
            _tokens[_pos] = new Token(TokenKind.Number, t.Text[1..]);
            return new Num(new Complex(t.Text[0] - '0', 0));
        }
        return ParseGroup();
    }

    private Expr ParseTrig(string name)
    {
        Expr? power = null;
        if (Peek is { } t && t.IsSymbol('^'))
        {
            _pos++;
            power = ParseExponent();
            // \sin^{-1} x is arcsin x.
            if (power is Neg { Operand: Num { Value: var one } } && one == Complex.One && name is "sin" or "cos" or "tan")
            {
                power = null;
                name = "arc" + name;
            }
        }
        Expr f = new Func(name, ParseFunctionArgument());
        return power is null ? f : new Binary(BinaryOp.Pow, f, power);
    }

    /// "\sin(x+1)" takes the parenthesis; "\sin 2x" takes the juxtaposed factors 2x, as a reader would.
    private Expr ParseFunctionArgument()
    {
        var t = Peek ?? throw new GradingException("missing function argument");
        if (t.IsSymbol('(') || t.IsSymbol('{')) return ParsePower();
        var arg = ParsePower();
        while (Peek is { } u && (u.Kind is TokenKind.Number or TokenKind.Letter
                   || (u.Kind == TokenKind.Command && !NonValueCommands.Contains(u.Text) && !FunctionCommands.Contains(u.Text))))
            arg = new Binary(BinaryOp.Mul, arg, ParsePower());
        return arg;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth) throw new GradingException("expression nested too deeply");
    }
}
