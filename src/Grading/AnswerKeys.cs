using System.Globalization;
using System.Numerics;

namespace Pipeline.Grading;

/// <summary>Canonical voting keys: values rounded at the grader's tolerance, sets sorted, variables fingerprinted at fixed points.</summary>
internal static class AnswerKeys
{
    public static string Of(Answer a, GradeBudget budget) => a switch
    {
        TextAnswer t => "t:" + new string(t.Text.Where(c => !char.IsWhiteSpace(c) && c is not ('{' or '}')).ToArray()).ToLowerInvariant(),
        ScalarAnswer s => Scalar(s.Expr, budget),
        RelationAnswer { LoneVariable: not null } r => Scalar(r.Rhs, budget),
        RelationAnswer r when AnswerComparer.AsInterval(r) is { } interval => Of(interval, budget),
        RelationAnswer r => "rel" + (int)r.Op + ":" + Scalar(r.Difference, budget),
        BracketAnswer b => b.Open + string.Join(",", b.Items.Select(i => Of(i, budget))) + b.Close,
        // Names count when every item has one ("k = 45, n = 2" is not "k = 2, n = 45"); a repeated item counts once.
        CollectionAnswer c => (c.Kind == "union" ? "U{" : "{")
            + string.Join(",", c.Items.Select(i => AllNamed(c) ? Name((RelationAnswer)i) + "=" + Of(i, budget) : Of(i, budget)).Distinct().Order(StringComparer.Ordinal)) + "}",
        MatrixAnswer m => "[" + string.Join(";", m.Rows.Select(r => string.Join(",", r.Select(c => Of(c, budget))))) + "]",
        _ => throw new GradingException("unknown answer kind"),
    };

    private static bool AllNamed(CollectionAnswer c) =>
        c.Items.Count > 1 && c.Items.All(i => i is RelationAnswer { Op: Relation.Equal, LoneVariable: not null })
        && c.Items.Select(i => Name((RelationAnswer)i)).Distinct().Count() == c.Items.Count;

    private static string Name(RelationAnswer r) =>
        new string(r.LoneVariable!.Where(ch => !char.IsWhiteSpace(ch) && ch is not ('{' or '}')).ToArray()).ToLowerInvariant();

    private static string Scalar(Expr e, GradeBudget budget)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        e.CollectVariables(names);
        var values = string.Join("|", ExprEquivalence.Fingerprint(e, budget).Select(Format));
        return names.Count == 0 ? values : "f(" + string.Join(",", names) + "):" + values;
    }

    public static string Format(Complex z)
    {
        if (NumericTolerance.IsNaN(z)) return "nan";
        var re = Real(z.Real);
        return System.Math.Abs(z.Imaginary) <= NumericTolerance.AbsoluteTolerance * System.Math.Max(1, Complex.Abs(z)) ? re : re + "+" + Real(z.Imaginary) + "i";
    }

    private static string Real(double x)
    {
        if (double.IsPositiveInfinity(x)) return "inf";
        if (double.IsNegativeInfinity(x)) return "-inf";
        var r = System.Math.Round(x);
        if (System.Math.Abs(x - r) <= 1e-9 * System.Math.Max(1, System.Math.Abs(x))) return r.ToString("R", CultureInfo.InvariantCulture);
        var text = System.Math.Abs(x) >= 1
            ? System.Math.Round(x, 6).ToString("0.######", CultureInfo.InvariantCulture)
            : x.ToString("G6", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }
}
