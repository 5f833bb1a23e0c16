using System.Globalization;
using System.Numerics;

namespace Pipeline.Grading;

/// <summary>
/// Default grader for MATH/GSM8K style answers: PRM800K-style normalization, then a parse into tuples, intervals, sets,
/// matrices, relations and expressions compared by value (see docs/grading.md). Thread-safe; never throws.
/// </summary>
public sealed class MathAnswerGrader(GradingOptions? options = null) : IAnswerGrader
{
    // Raw answers may carry markup that normalization removes; only far beyond MaxAnswerLength is the text refused outright.
    private const int RawLengthFactor = 4;

    private readonly GradingOptions _options = options ?? new GradingOptions();

    public static MathAnswerGrader Instance { get; } = new();

    public string? ExtractAnswer(string solutionText)
    {
        try
        {
            return AnswerExtractor.Extract(solutionText);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    public bool IsEquivalent(string gold, string predicted)
    {
        try
        {
            if (string.IsNullOrWhiteSpace(gold) || string.IsNullOrWhiteSpace(predicted)) return false;
            // Normalization is linear-to-quadratic in the length; beyond this only identical text is equal.
            if (gold.Length > RawLengthFactor * _options.MaxAnswerLength || predicted.Length > RawLengthFactor * _options.MaxAnswerLength)
                return string.Equals(gold.Trim(), predicted.Trim(), StringComparison.Ordinal);
            var g = LatexNormalizer.Normalize(gold);
            var p = LatexNormalizer.Normalize(predicted);
            if (g.Key.Length == 0 || p.Key.Length == 0) return false;
            if (g.Key == p.Key) return true;
            if (g.Text.Length > _options.MaxAnswerLength || p.Text.Length > _options.MaxAnswerLength) return false;
            var budget = NewBudget();
            var ga = AnswerParser.Parse(g.Text, budget);
            var pa = AnswerParser.Parse(p.Text, budget);
            return AnswerComparer.Equal(ga, pa, g.HadPercent != p.HadPercent, budget);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Garbage in, "not equal" out: one odd answer must never stop a batch.
            return false;
        }
    }

    public string AnswerKey(string answer)
    {
        NormalizedAnswer? n = null;
        try
        {
            if (answer is null || answer.Length > RawLengthFactor * _options.MaxAnswerLength) return "s:" + answer?.Trim();
            n = LatexNormalizer.Normalize(answer);
            if (n.Text.Length > _options.MaxAnswerLength) return "s:" + n.Key;
            return AnswerKeys.Of(AnswerParser.Parse(n.Text, NewBudget()), NewBudget());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "s:" + (n?.Key ?? answer ?? "");
        }
    }

    private GradeBudget NewBudget() => new(_options.MaxSteps, TimeSpan.FromMilliseconds(_options.MaxMilliseconds));
}

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
        CollectionAnswer c => (c.Kind == "union" ? "U{" : "{") + string.Join(",", c.Items.Select(i => Of(i, budget)).Order(StringComparer.Ordinal)) + "}",
        MatrixAnswer m => "[" + string.Join(";", m.Rows.Select(r => string.Join(",", r.Select(c => Of(c, budget))))) + "]",
        _ => throw new GradingException("unknown answer kind"),
    };

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
