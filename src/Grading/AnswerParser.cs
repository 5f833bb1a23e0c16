using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>Turns a normalized answer into its <see cref="Answer"/> structure; never throws (unparseable text becomes <see cref="TextAnswer"/>).</summary>
internal static partial class AnswerParser
{
    private const int MaxItems = 64;
    private const int MaxPlusMinusExpansions = 8;
    private const int MaxNesting = 12;

    public static Answer Parse(string normalizedText, GradeBudget budget)
    {
        try
        {
            return ParseAny(normalizedText.Trim(), budget, 0);
        }
        catch (GradingException)
        {
            return new TextAnswer(normalizedText);
        }
    }

    private static Answer ParseAny(string s, GradeBudget budget, int nesting)
    {
        budget.Step();
        if (nesting > MaxNesting) throw new GradingException("answer nested too deeply");
        s = LatexNormalizer.TrimSentenceEnd(s);
        if (s.Length == 0) throw new GradingException("empty answer");

        // "58,500" on its own (also as the right side of "x = 58,500") is one number, not a list.
        if (ThousandsPattern().IsMatch(s)) s = s.Replace(",", "");

        if (MatrixAnswerParser.TryParse(s, t => ParseAny(t, budget, nesting + 1), out var matrix)) return matrix!;

        var unionParts = LatexText.SplitTopLevel(s, "\\cup");
        if (unionParts.Count > 1)
            return new CollectionAnswer(Limit(unionParts).Select(p => ParseAny(p, budget, nesting + 1)).ToList(), "union");

        // "p=5,q=2; p=7,q=2", "-3;-1;2": semicolons separate answers.
        var semicolonParts = LatexText.SplitTopLevel(s, ";");
        if (semicolonParts.Count > 1)
            return Flatten(Limit(semicolonParts).Select(p => AssignmentsAsTuple(ParseAny(p, budget, nesting + 1))).ToList(), "list");

        // "4 \text{ and } 9", "21, 16 or 11": words joining answers (the normalizer turned \text{ and } into " and ").
        foreach (var word in new[] { " and ", " or " })
        {
            var parts = LatexText.SplitTopLevel(s, word);
            if (parts.Count > 1)
                return Flatten(Limit(parts).Select(p => ParseAny(p, budget, nesting + 1)).ToList(), "list");
        }

        // "x=2, y=3" is a list of relations; "x = 1, 2" is one relation whose right side is a list.
        var commaFirst = LatexText.SplitTopLevel(s, ",");
        if (commaFirst.Count > 1 && commaFirst.Count(p => RelationPattern().IsMatch(p)) > 1)
            return Flatten(Limit(commaFirst).Select(p => ParseAny(p, budget, nesting + 1)).ToList(), "list");

        // "x = 5+5+1 = 1/3 \approx 11": what comes after an approximation sign is a rounding, not the answer.
        var approx = ApproxPattern().Match(s);
        if (approx.Success && approx.Index > 0 && DepthAt(s, approx.Index) == 0)
        {
            var before = s[..approx.Index].Trim();
            var beforeIsName = LoneVariablePattern().IsMatch(before) || LabelPattern().IsMatch(before);
            if (!beforeIsName) return ParseAny(before, budget, nesting + 1);
            s = before + " = " + s[(approx.Index + approx.Length)..];
        }

        var relation = TryParseRelation(s, budget, nesting);
        if (relation is not null) return relation;

        if (commaFirst.Count > 1)
            return Flatten(Limit(commaFirst).Select(p => ParseAny(p, budget, nesting + 1)).ToList(), "list");

        // "11:21", "12:00": a ratio (or a time) compares part by part, never as a division.
        var ratioParts = LatexText.SplitTopLevel(s, ":");
        if (ratioParts.Count > 1 && ratioParts.All(p => p.Trim().Length > 0))
            return new BracketAnswer(':', ':', Limit(ratioParts).Select(p => ParseAny(p, budget, nesting + 1)).ToList());

        // "{1,3}" with plain braces is how a set is often written outside LaTeX.
        if (s[0] == '{' && s[^1] == '}' && MatchingClose(s, 0) == s.Length - 1 && LatexText.SplitTopLevel(s[1..^1], ",") is { Count: > 1 } braceItems)
            return Flatten(Limit(braceItems).Select(p => ParseAny(p, budget, nesting + 1)).ToList(), "set");

        if (s is "\\emptyset" or "\\{\\}" or "\\{ \\}" or "∅") return new CollectionAnswer([], "set");

        if (s.StartsWith("\\{") && s.EndsWith("\\}") && MatchingClose(s, 0) == s.Length - 2)
        {
            var inner = s[2..^2].Trim();
            if (inner.Length == 0) return new CollectionAnswer([], "set");
            var items = LatexText.SplitTopLevel(inner, ",");
            return Flatten(Limit(items).Select(p => ParseAny(p, budget, nesting + 1)).ToList(), "set");
        }

        if (s[0] is '(' or '[' && s[^1] is ')' or ']' && MatchingClose(s, 0) == s.Length - 1)
        {
            var items = LatexText.SplitTopLevel(s[1..^1], ",");
            // "(0;-2;6)": semicolons separate the coordinates when there is no comma.
            if (items.Count == 1) items = LatexText.SplitTopLevel(s[1..^1], ";");
            if (items.Count > 1)
                return new BracketAnswer(s[0], s[^1], Limit(items).Select(p => ParseAny(p, budget, nesting + 1)).ToList());
        }

        if (LooksLikeText(s)) return new TextAnswer(s);
        var expr = ExprParser.Parse(s, budget);
        if (expr.HasPlusMinus)
        {
            var values = expr.ExpandPlusMinus().Take(MaxPlusMinusExpansions + 1).ToList();
            if (values.Count > MaxPlusMinusExpansions) throw new GradingException("too many ± combinations");
            return new CollectionAnswer(values.Select(v => (Answer)new ScalarAnswer(v)).ToList(), "list");
        }
        return new ScalarAnswer(expr);
    }

    private static List<string> Limit(List<string> parts) =>
        parts.Count > MaxItems ? throw new GradingException($"more than {MaxItems} items") : parts;

    /// "1 \pm \sqrt{5}, -2" is three values: ± expansions inside a list join the list.
    private static Answer Flatten(List<Answer> items, string kind)
    {
        var flat = new List<Answer>();
        foreach (var item in items)
        {
            if (item is CollectionAnswer { Kind: "list" } inner) flat.AddRange(inner.Items);
            else flat.Add(item);
        }
        return flat.Count == 1 && kind == "list" ? flat[0] : new CollectionAnswer(flat, kind);
    }

    private static Answer? TryParseRelation(string s, GradeBudget budget, int nesting)
    {
        var matches = RelationPattern().Matches(s).Where(m => DepthAt(s, m.Index) == 0).ToList();
        if (matches.Count == 0) return null;
        var sides = new List<string>();
        var start = 0;
        foreach (var m in matches)
        {
            sides.Add(s[start..m.Index]);
            start = m.Index + m.Length;
        }
        sides.Add(s[start..]);
        if (sides.Any(x => x.Trim().Length == 0)) throw new GradingException("relation with an empty side");
        var ops = matches.Select(m => OpOf(m.Value)).ToList();

        var lhs = sides[0].Trim();
        var lone = LoneVariablePattern().IsMatch(lhs) || LoneTuplePattern().IsMatch(lhs) || LabelPattern().IsMatch(lhs);
        if (ops.All(o => o.op == Relation.Equal))
        {
            // "x = 5", "(p,q) = (1,2)", and chains "x = 5+5+1 = 11": the last right side is the answer.
            if (lone)
            {
                var rhsAnswer = ParseAny(sides[^1], budget, nesting + 1);
                if (rhsAnswer is ScalarAnswer scalar)
                    return new RelationAnswer(Relation.Equal, ExprParser.TryParse(lhs, budget, out var lhsExpr) ? lhsExpr! : new Var(lhs), scalar.Expr, lhs);
                return rhsAnswer;
            }
            if (sides.Count == 2)
            {
                var first = ExprParser.Parse(lhs, budget);
                var second = ExprParser.Parse(sides[1], budget);
                // "\frac{1}{2} = \frac{10}{9}" with nothing unknown is a computation: its last side is the answer.
                if (!HasVariables(first) && !HasVariables(second)) return new ScalarAnswer(second);
                return new RelationAnswer(Relation.Equal, first, second, null);
            }
            return ParseAny(sides[^1], budget, nesting + 1);
        }
        // "1 \le |z| \le \frac{3}{2}" and "|x| < 3": an absolute value between constants is a union of intervals.
        if (AbsoluteValueRange(sides, ops, budget) is { } range) return range;
        // "-2 \le x \le 7" is the interval [-2, 7].
        if (sides.Count == 3 && ops.All(o => o.op is Relation.Less or Relation.LessOrEqual) && ops[0].flip == ops[1].flip
            && LoneVariablePattern().IsMatch(sides[1].Trim()))
        {
            var (lo, hi, opLo, opHi) = ops[0].flip ? (sides[2], sides[0], ops[1].op, ops[0].op) : (sides[0], sides[2], ops[0].op, ops[1].op);
            return new BracketAnswer(opLo == Relation.LessOrEqual ? '[' : '(', opHi == Relation.LessOrEqual ? ']' : ')',
                [ParseAny(lo, budget, nesting + 1), ParseAny(hi, budget, nesting + 1)]) { FromInequality = true };
        }
        if (sides.Count != 2) throw new GradingException("chained inequality");
        var (op, flip) = ops[0];
        var left = ExprParser.Parse(sides[0], budget);
        var right = ExprParser.Parse(sides[1], budget);
        return flip ? new RelationAnswer(op, right, left, null) : new RelationAnswer(op, left, right, null);
    }

    /// "p=5,q=2" inside "p=5,q=2; p=7,q=2" is the tuple (5,2).
    private static Answer AssignmentsAsTuple(Answer a) =>
        a is CollectionAnswer { Kind: "list" } c && c.Items.Count > 1 && c.Items.All(i => i is RelationAnswer { Op: Relation.Equal, LoneVariable: not null })
            ? new BracketAnswer('(', ')', c.Items.Select(i => (Answer)new ScalarAnswer(((RelationAnswer)i).Rhs)).ToList())
            : a;

    private static bool HasVariables(Expr e)
    {
        var names = new HashSet<string>();
        e.CollectVariables(names);
        return names.Count > 0;
    }

    /// lo &lt; |x| &lt; hi (either strictness), or |x| against one constant, as the set of x it allows.
    private static Answer? AbsoluteValueRange(List<string> sides, List<(Relation op, bool flip)> ops, GradeBudget budget)
    {
        if (ops.Any(o => o.op is not (Relation.Less or Relation.LessOrEqual)) || ops.Any(o => o.flip != ops[0].flip)) return null;
        var ordered = ops[0].flip ? Enumerable.Reverse(sides).Select(x => x.Trim()).ToList() : sides.Select(x => x.Trim()).ToList();
        var strict = (ops[0].flip ? Enumerable.Reverse(ops) : ops).Select(o => o.op == Relation.Less).ToList();
        var abs = ordered.FindIndex(x => AbsoluteNamePattern().IsMatch(x));
        if (abs < 0) return null;
        Answer Num(Expr e) => new ScalarAnswer(e);
        Expr? Constant(string text) => ExprParser.TryParse(text, budget, out var e) && !HasVariables(e!) ? e : null;
        var infinity = new Num(new System.Numerics.Complex(double.PositiveInfinity, 0));
        BracketAnswer Interval(bool openLo, Expr lo, Expr hi, bool openHi) => new(openLo ? '(' : '[', openHi ? ')' : ']', [Num(lo), Num(hi)]) { FromInequality = true };

        if (ordered.Count == 3 && abs == 1 && Constant(ordered[0]) is { } lo && Constant(ordered[2]) is { } hi)
        {
            var low = lo.Evaluate(ExprEquivalence.Empty, budget);
            if (low.Imaginary != 0 || double.IsNaN(low.Real)) return null;
            if (low.Real < 0 || (low.Real == 0 && !strict[0])) return Interval(strict[1], new Neg(hi), hi, strict[1]);
            return new CollectionAnswer([Interval(strict[1], new Neg(hi), new Neg(lo), strict[0]), Interval(strict[0], lo, hi, strict[1])], "union") { FromInequality = true };
        }
        if (ordered.Count != 2) return null;
        if (abs == 0 && Constant(ordered[1]) is { } bound) return Interval(strict[0], new Neg(bound), bound, strict[0]);
        if (abs == 1 && Constant(ordered[0]) is { } floor)
            return new CollectionAnswer([Interval(true, new Neg(infinity), new Neg(floor), strict[0]), Interval(strict[0], floor, infinity, true)], "union") { FromInequality = true };
        return null;
    }

    private static (Relation op, bool flip) OpOf(string token) => token.Trim() switch
    {
        "=" or "\\approx" => (Relation.Equal, false),
        "<" or "\\lt" => (Relation.Less, false),
        ">" or "\\gt" => (Relation.Less, true),
        "<=" or "\\le" or "\\leq" => (Relation.LessOrEqual, false),
        ">=" or "\\ge" or "\\geq" => (Relation.LessOrEqual, true),
        _ => (Relation.NotEqual, false),
    };

    private static int DepthAt(string s, int index)
    {
        var depth = 0;
        for (var i = 0; i < index; i++)
        {
            if (s[i] is '(' or '[' or '{') depth++;
            else if (s[i] is ')' or ']' or '}') depth--;
        }
        return depth;
    }

    /// Index of the delimiter closing the one at <paramref name="open"/>; ( and [ close with either ) or ] (half-open intervals).
    private static int MatchingClose(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] is '{' or '}')
            {
                depth += s[i + 1] == '{' ? 1 : -1;
                if (depth == 0) return i;
                i++;
                continue;
            }
            if (s[i] is '(' or '[' or '{') depth++;
            else if (s[i] is ')' or ']' or '}')
            {
                if (--depth == 0) return i;
            }
        }
        return -1;
    }

    /// Words of three or more plain letters ("Evelyn", "east", "12 and 13") are text, not products of variables.
    private static bool LooksLikeText(string s) => TextWordPattern().IsMatch(s);

    [GeneratedRegex(@"^-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$")]
    private static partial Regex ThousandsPattern();

    [GeneratedRegex(@"<=|>=|!=|\\neq?(?![a-zA-Z])|\\leq?(?![a-zA-Z])|\\geq?(?![a-zA-Z])|\\lt(?![a-zA-Z])|\\gt(?![a-zA-Z])|\\approx(?![a-zA-Z])|=|<|>")]
    private static partial Regex RelationPattern();

    // A name, not an expression: x, x_1, \\theta, f(x), segment names AC or S_{ABC}, a ratio of segments \\frac{AM}{MC}.
    [GeneratedRegex(@"^(?:[a-zA-Z](?:_\{?\w+\}?)?|[A-Z]+(?:_\{?\w+\}?)?|\\[a-zA-Z]+(?:_\{?\w+\}?)?|[a-zA-Z]\([a-zA-Z0-9]\)|\\frac\{[A-Z]+\}\{[A-Z]+\})$")]
    private static partial Regex LoneVariablePattern();

    // Labels that name the answer: "|AB|", "A:B", "V_{1}:V_{2}", "S_{MBCN}:S".
    [GeneratedRegex(@"^(?:\|[^|=<>]{1,12}\||(?:[a-zA-Z]+|\\[a-zA-Z]+)(?:_\{?\w+\}?)?(?:\s*:\s*(?:[a-zA-Z]+|\\[a-zA-Z]+)(?:_\{?\w+\}?)?)+)$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^\|\s*(?:[a-zA-Z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)\s*\|$")]
    private static partial Regex AbsoluteNamePattern();

    [GeneratedRegex(@"\\approx(?![a-zA-Z])")]
    private static partial Regex ApproxPattern();

    [GeneratedRegex(@"^\(\s*[a-zA-Z](?:\s*,\s*[a-zA-Z])+\s*\)$")]
    private static partial Regex LoneTuplePattern();

    [GeneratedRegex(@"(?<![\\a-zA-Z])[a-zA-Z]{3,}")]
    private static partial Regex TextWordPattern();
}
