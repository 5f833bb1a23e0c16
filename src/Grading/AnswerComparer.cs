using System.Numerics;

namespace Pipeline.Grading;

/// <summary>Equivalence of two parsed answers, structure first, then values.</summary>
internal static class AnswerComparer
{
    public static bool Equal(Answer gold, Answer pred, bool percentOnOneSide, GradeBudget budget)
    {
        budget.Step();
        switch (gold, pred)
        {
            case (TextAnswer g, TextAnswer p):
                return string.Equals(Squash(g.Text), Squash(p.Text), StringComparison.OrdinalIgnoreCase);
            case (TextAnswer, _) or (_, TextAnswer):
                return false;

            case (ScalarAnswer g, ScalarAnswer p):
                if (ExprEquivalence.Equal(g.Expr, p.Expr, budget)) return true;
                // "28\%" against "0.28": a percentage may be written as its value or as a fraction of 1.
                return percentOnOneSide && (ExprEquivalence.Equal(Hundredth(g.Expr), p.Expr, budget) || ExprEquivalence.Equal(g.Expr, Hundredth(p.Expr), budget));

            case (RelationAnswer { LoneVariable: not null } g, RelationAnswer { LoneVariable: not null } p):
                return Equal(new ScalarAnswer(g.Rhs), new ScalarAnswer(p.Rhs), percentOnOneSide, budget);
            case (RelationAnswer g, RelationAnswer p):
                return SameRelation(g, p, budget);
            case (RelationAnswer { LoneVariable: not null } g, _):
                return Equal(new ScalarAnswer(g.Rhs), pred, percentOnOneSide, budget);
            case (_, RelationAnswer { LoneVariable: not null } p):
                return Equal(gold, new ScalarAnswer(p.Rhs), percentOnOneSide, budget);
            case (RelationAnswer g, BracketAnswer p) when AsInterval(g) is { } gi:
                return Equal(gi, p, false, budget);
            case (BracketAnswer g, RelationAnswer p) when AsInterval(p) is { } pi:
                return Equal(g, pi, false, budget);
            case (RelationAnswer, _) or (_, RelationAnswer):
                return false;

            case (BracketAnswer g, BracketAnswer p):
                return g.Open == p.Open && g.Close == p.Close && g.Items.Count == p.Items.Count
                    && g.Items.Zip(p.Items).All(x => Equal(x.First, x.Second, false, budget));

            // "(2,3)" against "x=2, y=3": the values of a list of assignments, in the order written.
            case (BracketAnswer { Open: '(', Close: ')' } g, CollectionAnswer p) when AllAssignments(p):
                return Equal(g, new BracketAnswer('(', ')', p.Items.Select(i => (Answer)new ScalarAnswer(((RelationAnswer)i).Rhs)).ToList()), false, budget);
            case (CollectionAnswer g, BracketAnswer { Open: '(', Close: ')' } p) when AllAssignments(g):
                return Equal(new BracketAnswer('(', ')', g.Items.Select(i => (Answer)new ScalarAnswer(((RelationAnswer)i).Rhs)).ToList()), p, false, budget);

            // "(1,3)" against "{1,3}": a set read in increasing order, as Math-Verify compares a set with a tuple.
            case (BracketAnswer { Open: '(', Close: ')' } g, CollectionAnswer { Kind: "set" } p) when SortedReals(p.Items, budget) is { } sorted:
                return g.Items.Count == sorted.Count && g.Items.Zip(sorted).All(x => Equal(x.First, x.Second, false, budget));
            case (CollectionAnswer { Kind: "set" } g, BracketAnswer { Open: '(', Close: ')' } p) when SortedReals(g.Items, budget) is { } sorted:
                return p.Items.Count == sorted.Count && sorted.Zip(p.Items).All(x => Equal(x.First, x.Second, false, budget));

            case (CollectionAnswer g, CollectionAnswer p):
                // A set and a comma list of the same values agree; a union only matches a union.
                if ((g.Kind == "union") != (p.Kind == "union")) return false;
                // "p = 3, q = 8" against "q = 8, p = 3": when both sides name every value, names pair the values.
                if (NamedValues(g) is { } gn && NamedValues(p) is { } pn && gn.Keys.ToHashSet().SetEquals(pn.Keys))
                    return gn.All(kv => Equal(new ScalarAnswer(kv.Value), new ScalarAnswer(pn[kv.Key]), false, budget));
                return SameSet(Distinct(g.Items, budget), Distinct(p.Items, budget), budget);

            case (MatrixAnswer g, MatrixAnswer p):
                return g.Rows.Count == p.Rows.Count && g.Rows.Zip(p.Rows).All(r =>
                    r.First.Count == r.Second.Count && r.First.Zip(r.Second).All(c => Equal(c.First, c.Second, false, budget)));

            default:
                return false;
        }
    }

    /// Math-Verify's default (allow_set_relation_comp=False): a gold interval or union answered with an inequality is not
    /// accepted ("x \in [-2,7]" against "-2 \le x \le 7"); the other way round it is.
    public static bool SetAgainstInequality(Answer gold, Answer pred)
    {
        var goldIsSet = gold is BracketAnswer { FromInequality: false, Open: '(' or '[' } or CollectionAnswer { FromInequality: false, Kind: "union" };
        var predIsInequality = pred is RelationAnswer { Op: Relation.Less or Relation.LessOrEqual } or BracketAnswer { FromInequality: true }
            or CollectionAnswer { FromInequality: true };
        return goldIsSet && predIsInequality;
    }

    /// "x < 3" as the interval (-∞, 3), "5 \le x" as [5, ∞): only a lone variable against a constant.
    internal static BracketAnswer? AsInterval(RelationAnswer r)
    {
        if (r.Op is not (Relation.Less or Relation.LessOrEqual)) return null;
        var closed = r.Op == Relation.LessOrEqual;
        var infinity = new Num(new Complex(double.PositiveInfinity, 0));
        if (r.Lhs is Var && !HasVariables(r.Rhs))
            return new BracketAnswer('(', closed ? ']' : ')', [new ScalarAnswer(new Neg(infinity)), new ScalarAnswer(r.Rhs)]);
        if (r.Rhs is Var && !HasVariables(r.Lhs))
            return new BracketAnswer(closed ? '[' : '(', ')', [new ScalarAnswer(r.Lhs), new ScalarAnswer(infinity)]);
        return null;
    }

    private static bool AllAssignments(CollectionAnswer c) =>
        c.Kind == "list" && c.Items.Count > 1 && c.Items.All(i => i is RelationAnswer { Op: Relation.Equal, LoneVariable: not null });

    private static bool HasVariables(Expr e)
    {
        var names = new HashSet<string>();
        e.CollectVariables(names);
        return names.Count > 0;
    }

    private static Expr Hundredth(Expr e) => new Binary(BinaryOp.Div, e, new Num(new Complex(100, 0)));

    private static string Squash(string s) => new(s.Where(c => !char.IsWhiteSpace(c) && c is not ('{' or '}')).ToArray());

    /// Set semantics, as Math-Verify's: a solution listed twice counts once.
    private static List<Answer> Distinct(IReadOnlyList<Answer> items, GradeBudget budget)
    {
        var kept = new List<Answer>();
        foreach (var item in items)
            if (!kept.Any(k => Equal(k, item, false, budget))) kept.Add(item);
        return kept;
    }

    /// Values of a list of "name = value" items keyed by the name (braces, spaces and case ignored); null unless every item is one and no name repeats.
    private static Dictionary<string, Expr>? NamedValues(CollectionAnswer c)
    {
        if (c.Items.Count < 2 || !c.Items.All(i => i is RelationAnswer { Op: Relation.Equal, LoneVariable: not null })) return null;
        var named = new Dictionary<string, Expr>(StringComparer.OrdinalIgnoreCase);
        foreach (RelationAnswer r in c.Items)
        {
            var name = new string(r.LoneVariable!.Where(ch => !char.IsWhiteSpace(ch) && ch is not ('{' or '}')).ToArray());
            if (!named.TryAdd(name, r.Rhs)) return null;
        }
        return named;
    }

    /// The items in increasing order when all are real constants; null otherwise.
    private static List<Answer>? SortedReals(IReadOnlyList<Answer> items, GradeBudget budget)
    {
        var values = new List<(double value, Answer item)>();
        foreach (var item in items)
        {
            if (item is not ScalarAnswer s || HasVariables(s.Expr)) return null;
            var v = s.Expr.Evaluate(ExprEquivalence.Empty, budget);
            if (System.Math.Abs(v.Imaginary) > NumericTolerance.AbsoluteTolerance || double.IsNaN(v.Real)) return null;
            values.Add((v.Real, item));
        }
        return values.OrderBy(v => v.value).Select(v => v.item).ToList();
    }

    /// Order-free matching: each gold item must pair with a distinct predicted item.
    private static bool SameSet(IReadOnlyList<Answer> gold, IReadOnlyList<Answer> pred, GradeBudget budget)
    {
        if (gold.Count != pred.Count) return false;
        var used = new bool[pred.Count];
        foreach (var g in gold)
        {
            var found = false;
            for (var j = 0; j < pred.Count && !found; j++)
            {
                if (used[j] || !Equal(g, pred[j], false, budget)) continue;
                used[j] = found = true;
            }
            if (!found) return false;
        }
        return true;
    }

    /// Same relation up to a constant factor: "2x+4y-3=0" ≡ "y=-x/2+3/4"; "x<1" ≡ "-x>-1" (positive factor only for inequalities).
    private static bool SameRelation(RelationAnswer g, RelationAnswer p, GradeBudget budget)
    {
        if (g.Op != p.Op) return false;
        var fg = g.Difference;
        var fp = p.Difference;
        Complex? ratio = null;
        var ok = ExprEquivalence.Compare(fg, fp, budget, (a, b) =>
        {
            if (NumericTolerance.Close(a, Complex.Zero) && NumericTolerance.Close(b, Complex.Zero)) return true;
            if (NumericTolerance.Close(b, Complex.Zero)) return false;
            var r = a / b;
            ratio ??= r;
            return NumericTolerance.Close(r, ratio.Value);
        });
        if (!ok || ratio is null) return ok && ratio is null && g.Op == Relation.Equal;
        var c = ratio.Value;
        if (NumericTolerance.Close(c, Complex.Zero)) return false;
        return g.Op is Relation.Equal or Relation.NotEqual || (c.Real > 0 && System.Math.Abs(c.Imaginary) < 1e-12);
    }
}
