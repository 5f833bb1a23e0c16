namespace Pipeline.Inference.Templates;

/// <summary>jinja2's recursive-descent parser (same precedence and the same odd corners: filters bind tighter
/// than unary minus's operand, <c>**</c> is left-associative, adjacent string literals join), restricted to the
/// statements chat templates use. Anything else fails here with the tag's line and column.</summary>
internal sealed class TemplateParser
{
    private static readonly HashSet<string> KnownButUnsupported =
        ["block", "extends", "include", "import", "from", "autoescape", "call", "filter", "do", "trans", "pluralize", "debug"];

    private static readonly HashSet<string> Reserved = ["true", "false", "none", "True", "False", "None"];

    private readonly List<Token> _tokens;
    private readonly SourceMap _map;
    private int _index;
    private int _loopDepth;
    private readonly List<string> _tagStack = [];
    private readonly List<string[]> _endTokenStack = [];
    private readonly List<HashSet<string>> _macroNames = [];

    private TemplateParser(List<Token> tokens, SourceMap map)
    {
        _tokens = tokens;
        _map = map;
    }

    public static Stmt[] Parse(List<Token> tokens, SourceMap map)
    {
        var parser = new TemplateParser(tokens, map);
        return parser.Subparse(null).ToArray();
    }

    private Token Current => _tokens[_index];

    private Token Look => _index + 1 < _tokens.Count ? _tokens[_index + 1] : _tokens[^1];

    private Token Next()
    {
        var t = _tokens[_index];
        if (_index < _tokens.Count - 1) _index++;
        return t;
    }

    private ChatTemplateException Fail(string message, int? pos = null) => _map.Error(pos ?? Current.Pos, message);

    private Token ExpectOp(string op)
    {
        if (!Current.IsOp(op)) throw Fail($"expected token '{op}', got '{Current.Describe()}'");
        return Next();
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind)
        {
            if (Current.Kind == TokenKind.Eof) throw Fail($"unexpected end of template, expected '{what}'.");
            throw Fail($"expected token '{what}', got '{Current.Describe()}'");
        }
        return Next();
    }

    private Token ExpectName(string name)
    {
        if (!Current.IsName(name)) throw Fail($"expected token '{name}', got '{Current.Describe()}'");
        return Next();
    }

    private bool SkipOp(string op)
    {
        if (!Current.IsOp(op)) return false;
        Next();
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        Next();
        return true;
    }

    private List<Stmt> Subparse(string[]? endTokens)
    {
        var body = new List<Stmt>();
        if (endTokens is not null) _endTokenStack.Add(endTokens);
        try
        {
            while (Current.Kind != TokenKind.Eof)
            {
                var token = Current;
                switch (token.Kind)
                {
                    case TokenKind.Data:
                        body.Add(new TextStmt(token.Pos, token.Text));
                        Next();
                        break;
                    case TokenKind.VariableBegin:
                        Next();
                        body.Add(new OutputStmt(ParseTuple(withCondExpr: true)));
                        Expect(TokenKind.VariableEnd, "end of print statement");
                        break;
                    case TokenKind.BlockBegin:
                        Next();
                        if (endTokens is not null && Current.Kind == TokenKind.Name && endTokens.Contains(Current.Text))
                            return body;
                        body.AddRange(ParseStatement());
                        Expect(TokenKind.BlockEnd, "end of statement block");
                        break;
                    default:
                        throw Fail($"unexpected '{token.Describe()}'");
                }
            }
            return body;
        }
        finally
        {
            if (endTokens is not null) _endTokenStack.RemoveAt(_endTokenStack.Count - 1);
        }
    }

    private Stmt[] ParseStatements(string[] endTokens, bool dropNeedle)
    {
        SkipOp(":");
        Expect(TokenKind.BlockEnd, "end of statement block");
        var result = Subparse(endTokens);
        if (Current.Kind == TokenKind.Eof) throw FailEof(endTokens);
        if (dropNeedle) Next();
        return result.ToArray();
    }

    private ChatTemplateException FailEof(string[] endTokens)
    {
        var expected = string.Join(" or ", endTokens.Select(t => $"'{t}'"));
        var innermost = _tagStack.Count > 0 ? $" The innermost block that needs to be closed is '{_tagStack[^1]}'." : "";
        return Fail($"Unexpected end of template. Jinja was looking for the following tags: {expected}.{innermost}");
    }

    private IEnumerable<Stmt> ParseStatement()
    {
        var token = Current;
        if (token.Kind != TokenKind.Name) throw Fail("tag name expected");
        _tagStack.Add(token.Text);
        try
        {
            switch (token.Text)
            {
                case "if": return [ParseIf()];
                case "for": return [ParseFor()];
                case "set": return [ParseSet()];
                case "macro": return [ParseMacro()];
                case "with": return [ParseWith()];
                case "print":
                    Next();
                    return [new OutputStmt(ParseTuple(withCondExpr: true))];
                case "break" or "continue":
                    if (_loopDepth == 0) throw Fail($"'{token.Text}' outside loop");
                    Next();
                    return [new LoopControlStmt(token.Pos, token.Text == "break" ? LoopControl.Break : LoopControl.Continue)];
                case "generation":
                {
                    Next();
                    var body = ParseStatements(["endgeneration"], dropNeedle: true);
                    return [new ScopedBlockStmt(token.Pos, body)];
                }
                case "raw":
                    throw Fail("malformed {% raw %} tag");
            }
            if (KnownButUnsupported.Contains(token.Text))
                throw Fail($"the '{token.Text}' tag is not supported by this chat-template interpreter");
            var message = $"Encountered unknown tag '{token.Text}'.";
            if (_endTokenStack.Count > 0)
            {
                var expected = string.Join(" or ", _endTokenStack[^1].Select(t => $"'{t}'"));
                message += $" Jinja was looking for the following tags: {expected}.";
                if (_tagStack.Count > 1) message += $" The innermost block that needs to be closed is '{_tagStack[^2]}'.";
            }
            throw Fail(message);
        }
        finally
        {
            _tagStack.RemoveAt(_tagStack.Count - 1);
        }
    }

    private Stmt ParseIf()
    {
        var pos = ExpectName("if").Pos;
        var branches = new List<(Expr, Stmt[])>();
        Stmt[] otherwise = [];
        while (true)
        {
            var test = ParseTuple(withCondExpr: false);
            var body = ParseStatements(["elif", "else", "endif"], dropNeedle: false);
            branches.Add((test, body));
            var token = Next();
            if (token.Text == "elif") continue;
            if (token.Text == "else") otherwise = ParseStatements(["endif"], dropNeedle: true);
            break;
        }
        return new IfStmt(pos, branches.ToArray(), otherwise);
    }

    private Stmt ParseFor()
    {
        var pos = ExpectName("for").Pos;
        var target = ParseAssignTarget(extraEnd: "in");
        ExpectName("in");
        var iterable = ParseTuple(withCondExpr: false, extraEnd: "recursive");
        Expr? filter = null;
        if (SkipName("if")) filter = ParseExpression();
        if (Current.IsName("recursive")) throw Fail("recursive for loops are not supported by this chat-template interpreter");
        _loopDepth++;
        Stmt[] body;
        try
        {
            body = ParseStatements(["endfor", "else"], dropNeedle: false);
        }
        finally
        {
            _loopDepth--;
        }
        Stmt[] otherwise = [];
        if (Next().Text != "endfor") otherwise = ParseStatements(["endfor"], dropNeedle: true);
        return new ForStmt(pos, target, iterable, filter, body, otherwise);
    }

    private Stmt ParseSet()
    {
        var pos = Next().Pos;
        var target = ParseAssignTarget(withNamespace: true);
        if (SkipOp("=")) return new SetStmt(pos, target, ParseTuple(withCondExpr: true));
        var filters = new List<FilterExpr>();
        while (Current.IsOp("|")) filters.Add(ParseOneFilter(null));
        var body = ParseStatements(["endset"], dropNeedle: true);
        return new SetBlockStmt(pos, target, filters.ToArray(), body);
    }

    private Stmt ParseWith()
    {
        var pos = Next().Pos;
        var assignments = new List<(Target, Expr)>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) ExpectOp(",");
            var target = ParseAssignTarget();
            ExpectOp("=");
            assignments.Add((target, ParseExpression()));
        }
        var body = ParseStatements(["endwith"], dropNeedle: true);
        return new WithStmt(pos, assignments.ToArray(), body);
    }

    private Stmt ParseMacro()
    {
        var pos = Next().Pos;
        var name = ParseNameTarget();
        ExpectOp("(");
        var parameters = new List<string>();
        var defaults = new List<Expr?>();
        while (!Current.IsOp(")"))
        {
            if (parameters.Count > 0) ExpectOp(",");
            parameters.Add(ParseNameTarget());
            if (SkipOp("=")) defaults.Add(ParseExpression());
            else if (defaults.Any(d => d is not null)) throw Fail("non-default argument follows default argument");
            else defaults.Add(null);
        }
        ExpectOp(")");
        var savedLoopDepth = _loopDepth;
        _loopDepth = 0;
        var referenced = new HashSet<string>();
        _macroNames.Add(referenced);
        Stmt[] body;
        try
        {
            body = ParseStatements(["endmacro"], dropNeedle: true);
        }
        finally
        {
            _loopDepth = savedLoopDepth;
            _macroNames.RemoveAt(_macroNames.Count - 1);
        }
        // As jinja2: a macro whose body mentions varargs / kwargs takes extra positional / keyword arguments.
        var catchVarargs = referenced.Contains("varargs") && !parameters.Contains("varargs");
        var catchKwargs = referenced.Contains("kwargs") && !parameters.Contains("kwargs");
        if (referenced.Contains("caller") && !parameters.Contains("caller"))
            throw Fail("macros using 'caller' need {% call %}, which this chat-template interpreter does not support", pos);
        return new MacroStmt(pos, new MacroDefinition(name, parameters.ToArray(), defaults.ToArray(), body, pos, catchVarargs, catchKwargs));
    }

    private string ParseNameTarget()
    {
        var token = Expect(TokenKind.Name, "name");
        if (Reserved.Contains(token.Text)) throw Fail($"can't assign to 'const'", token.Pos);
        return token.Text;
    }

    private Target ParseAssignTarget(string? extraEnd = null, bool withNamespace = false)
    {
        if (withNamespace && Current.Kind == TokenKind.Name && Look.IsOp("."))
        {
            var ns = Next();
            Next();
            var attr = Expect(TokenKind.Name, "name");
            return new NamespaceTarget(ns.Text, attr.Text);
        }
        var startPos = Current.Pos;
        var expr = ParseTuple(simplified: true, extraEnd: extraEnd);
        return ToTarget(expr, startPos);
    }

    private Target ToTarget(Expr expr, int pos) => expr switch
    {
        NameExpr name => new NameTarget(name.Name),
        TupleExpr tuple => new TupleTarget(tuple.Items.Select(e => ToTarget(e, e.Pos)).ToArray()),
        _ => throw Fail($"can't assign to '{(expr is ConstExpr ? "const" : expr.GetType().Name.Replace("Expr", "").ToLowerInvariant())}'", pos),
    };

    // ---- expressions ----

    private bool IsTupleEnd(string? extraEnd) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Current.IsOp(")") || (extraEnd is not null && Current.IsName(extraEnd));

    private Expr ParseTuple(bool simplified = false, bool withCondExpr = true, string? extraEnd = null, bool explicitParentheses = false)
    {
        var pos = Current.Pos;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0) ExpectOp(",");
            if (IsTupleEnd(extraEnd)) break;
            items.Add(simplified ? ParsePrimary() : withCondExpr ? ParseExpression() : ParseOr());
            if (Current.IsOp(",")) isTuple = true;
            else break;
        }
        if (!isTuple)
        {
            if (items.Count > 0) return items[0];
            if (!explicitParentheses)
                throw Current.Kind == TokenKind.Eof
                    ? Fail("unexpected end of template, expected an expression.")
                    : Fail($"Expected an expression, got '{Current.Describe()}'");
        }
        return new TupleExpr(pos, items.ToArray());
    }

    private Expr ParseExpression() => ParseCondExpr();

    private Expr ParseCondExpr()
    {
        var pos = Current.Pos;
        var expr = ParseOr();
        while (SkipName("if"))
        {
            var test = ParseOr();
            Expr? otherwise = SkipName("else") ? ParseCondExpr() : null;
            expr = new CondExpr(pos, test, expr, otherwise);
            pos = Current.Pos;
        }
        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var pos = Next().Pos;
            left = new OrExpr(pos, left, ParseAnd());
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var pos = Next().Pos;
            left = new AndExpr(pos, left, ParseNot());
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (Current.IsName("not"))
        {
            var pos = Next().Pos;
            return new NotExpr(pos, ParseNot());
        }
        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var pos = Current.Pos;
        var expr = ParseMath1();
        var ops = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && Current.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                var op = Next().Text;
                ops.Add((op, ParseMath1()));
            }
            else if (SkipName("in")) ops.Add(("in", ParseMath1()));
            else if (Current.IsName("not") && Look.IsName("in"))
            {
                Next();
                Next();
                ops.Add(("notin", ParseMath1()));
            }
            else break;
        }
        return ops.Count == 0 ? expr : new CompareExpr(pos, expr, ops.ToArray());
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOp("+") || Current.IsOp("-"))
        {
            var op = Next();
            left = new BinaryExpr(op.Pos, op.Text, left, ParseConcat());
        }
        return left;
    }

    private Expr ParseConcat()
    {
        var pos = Current.Pos;
        var parts = new List<Expr> { ParseMath2() };
        while (SkipOp("~")) parts.Add(ParseMath2());
        return parts.Count == 1 ? parts[0] : new ConcatExpr(pos, parts.ToArray());
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Next();
            left = new BinaryExpr(op.Pos, op.Text, left, ParsePow());
        }
        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary();
        while (Current.IsOp("**"))
        {
            var op = Next();
            left = new BinaryExpr(op.Pos, "**", left, ParseUnary());
        }
        return left;
    }

    private Expr ParseUnary(bool withFilter = true)
    {
        Expr node;
        if (Current.IsOp("-") || Current.IsOp("+"))
        {
            var op = Next();
            node = new NegExpr(op.Pos, ParseUnary(withFilter: false), op.Text == "-");
        }
        else node = ParsePrimary();
        node = ParsePostfix(node);
        if (withFilter) node = ParseFilterExpr(node);
        return node;
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                Next();
                return token.Text switch
                {
                    "true" or "True" => new ConstExpr(token.Pos, true),
                    "false" or "False" => new ConstExpr(token.Pos, false),
                    "none" or "None" => new ConstExpr(token.Pos, null),
                    _ => Name(token),
                };
            case TokenKind.String:
            {
                Next();
                var text = (string)token.Value!;
                while (Current.Kind == TokenKind.String) text += (string)Next().Value!;
                return new ConstExpr(token.Pos, text);
            }
            case TokenKind.Integer or TokenKind.Float:
                Next();
                return new ConstExpr(token.Pos, token.Value);
            case TokenKind.Operator when token.Text == "(":
            {
                Next();
                var node = ParseTuple(explicitParentheses: true);
                ExpectOp(")");
                return node;
            }
            case TokenKind.Operator when token.Text == "[":
                return ParseList();
            case TokenKind.Operator when token.Text == "{":
                return ParseDict();
            case TokenKind.Eof:
                throw Fail("unexpected end of template, expected an expression.");
            default:
                throw Fail($"unexpected '{token.Describe()}'");
        }
    }

    private NameExpr Name(Token token)
    {
        if (_macroNames.Count > 0) _macroNames[^1].Add(token.Text);
        return new NameExpr(token.Pos, token.Text);
    }

    private Expr ParseList()
    {
        var pos = ExpectOp("[").Pos;
        var items = new List<Expr>();
        while (!Current.IsOp("]"))
        {
            if (items.Count > 0) ExpectOp(",");
            if (Current.IsOp("]")) break;
            items.Add(ParseExpression());
        }
        ExpectOp("]");
        return new ListExpr(pos, items.ToArray());
    }

    private Expr ParseDict()
    {
        var pos = ExpectOp("{").Pos;
        var pairs = new List<(Expr, Expr)>();
        while (!Current.IsOp("}"))
        {
            if (pairs.Count > 0) ExpectOp(",");
            if (Current.IsOp("}")) break;
            var key = ParseExpression();
            ExpectOp(":");
            pairs.Add((key, ParseExpression()));
        }
        ExpectOp("}");
        return new DictExpr(pos, pairs.ToArray());
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOp(".") || Current.IsOp("[")) node = ParseSubscript(node);
            else if (Current.IsOp("(")) node = ParseCall(node);
            else return node;
        }
    }

    private Expr ParseFilterExpr(Expr node)
    {
        while (true)
        {
            if (Current.IsOp("|")) node = ParseOneFilter(node);
            else if (Current.IsName("is")) node = ParseTest(node);
            else if (Current.IsOp("(")) node = ParseCall(node);
            else return node;
        }
    }

    private Expr ParseSubscript(Expr node)
    {
        var token = Next();
        if (token.Text == ".")
        {
            var attr = Current;
            Next();
            if (attr.Kind == TokenKind.Name) return new GetAttrExpr(token.Pos, node, attr.Text);
            if (attr.Kind != TokenKind.Integer) throw Fail("expected name or number", attr.Pos);
            return new GetItemExpr(token.Pos, node, new ConstExpr(attr.Pos, attr.Value));
        }
        var args = new List<Expr>();
        while (!Current.IsOp("]"))
        {
            if (args.Count > 0) ExpectOp(",");
            args.Add(ParseSubscribed());
        }
        ExpectOp("]");
        var key = args.Count == 1 ? args[0] : new TupleExpr(token.Pos, args.ToArray());
        return new GetItemExpr(token.Pos, node, key);
    }

    private Expr ParseSubscribed()
    {
        var pos = Current.Pos;
        Expr? start;
        if (Current.IsOp(":"))
        {
            Next();
            start = null;
        }
        else
        {
            var node = ParseExpression();
            if (!Current.IsOp(":")) return node;
            Next();
            start = node;
        }
        Expr? stop = null, step = null;
        if (!Current.IsOp(":") && !Current.IsOp("]") && !Current.IsOp(",")) stop = ParseExpression();
        if (SkipOp(":") && !Current.IsOp("]") && !Current.IsOp(",")) step = ParseExpression();
        return new SliceExpr(pos, start, stop, step);
    }

    private Arguments ParseCallArgs()
    {
        var open = ExpectOp("(");
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        var requireComma = false;
        while (!Current.IsOp(")"))
        {
            if (requireComma)
            {
                ExpectOp(",");
                if (Current.IsOp(")")) break;
            }
            if (Current.IsOp("*") || Current.IsOp("**"))
                throw Fail("*args and **kwargs in calls are not supported by this chat-template interpreter");
            if (Current.Kind == TokenKind.Name && Look.IsOp("="))
            {
                var key = Next().Text;
                Next();
                kwargs.Add((key, ParseExpression()));
            }
            else
            {
                if (kwargs.Count > 0) throw Fail("invalid syntax for function call expression", open.Pos);
                args.Add(ParseExpression());
            }
            requireComma = true;
        }
        ExpectOp(")");
        return new Arguments(args.ToArray(), kwargs.ToArray());
    }

    private Expr ParseCall(Expr node) => new CallExpr(node.Pos, node, ParseCallArgs());

    private string ParseDottedName()
    {
        var name = Expect(TokenKind.Name, "name").Text;
        while (Current.IsOp("."))
        {
            Next();
            name += "." + Expect(TokenKind.Name, "name").Text;
        }
        return name;
    }

    private FilterExpr ParseOneFilter(Expr? node)
    {
        ExpectOp("|");
        var pos = Current.Pos;
        var name = ParseDottedName();
        if (!JinjaFilters.Exists(name)) throw Fail(JinjaFilters.Unsupported(name), pos);
        var args = Current.IsOp("(") ? ParseCallArgs() : Arguments.Empty;
        return new FilterExpr(pos, node, name, args);
    }

    private Expr ParseTest(Expr node)
    {
        var isPos = Next().Pos;
        var negated = SkipName("not");
        var pos = Current.Pos;
        var name = ParseDottedName();
        if (!JinjaTests.Exists(name)) throw Fail(JinjaTests.Unsupported(name), pos);
        Arguments args;
        if (Current.IsOp("(")) args = ParseCallArgs();
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                     || Current.IsOp("(") || Current.IsOp("[") || Current.IsOp("{"))
                 && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is")) throw Fail("You cannot chain multiple tests with is");
            var arg = ParsePostfix(ParsePrimary());
            args = new Arguments([arg], []);
        }
        else args = Arguments.Empty;
        Expr test = new TestExpr(isPos, node, name, args);
        return negated ? new NotExpr(isPos, test) : test;
    }
}
