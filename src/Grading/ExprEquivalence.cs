using System.Numerics;

namespace Pipeline.Grading;

/// <summary>Decides whether two expressions are the same function: by value, or at random points when variables occur.</summary>
internal static class ExprEquivalence
{
    // Enough points that two different polynomials/rational functions agreeing at all of them is a coincidence.
    private const int Points = 8;
    private const int MinValidPoints = 3;

    /// Same value (no variables) or agreement at every valid random point.
    public static bool Equal(Expr a, Expr b, GradeBudget budget) => Compare(a, b, budget, (x, y) => NumericTolerance.Close(x, y));

    /// True when every point agrees under <paramref name="agree"/>; points where either side is undefined are skipped.
    public static bool Compare(Expr a, Expr b, GradeBudget budget, Func<Complex, Complex, bool> agree)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        a.CollectVariables(names);
        b.CollectVariables(names);
        if (names.Count == 0) return agree(a.Evaluate(Empty, budget), b.Evaluate(Empty, budget));

        var valid = 0;
        foreach (var point in SamplePoints(names))
        {
            var va = a.Evaluate(point, budget);
            var vb = b.Evaluate(point, budget);
            if (!NumericTolerance.IsFinite(va) || !NumericTolerance.IsFinite(vb)) continue;
            if (!agree(va, vb)) return false;
            valid++;
        }
        return valid >= MinValidPoints;
    }

    /// The values of <paramref name="e"/> at the same random points <see cref="Compare"/> uses (for answer keys).
    public static IEnumerable<Complex> Fingerprint(Expr e, GradeBudget budget)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        e.CollectVariables(names);
        if (names.Count == 0) { yield return e.Evaluate(Empty, budget); yield break; }
        foreach (var p in SamplePoints(names).Take(3)) yield return e.Evaluate(p, budget);
    }

    public static IReadOnlyDictionary<string, Complex> Empty { get; } = new Dictionary<string, Complex>();

    // Fixed seed: the same pair always gets the same verdict. Values in (0.5, 2.5) avoid 0 and 1, where distinct functions often meet.
    private static IEnumerable<Dictionary<string, Complex>> SamplePoints(SortedSet<string> names)
    {
        var rng = new Random(20240917);
        for (var k = 0; k < Points; k++)
        {
            var point = new Dictionary<string, Complex>(StringComparer.Ordinal);
            foreach (var n in names) point[n] = new Complex(0.5 + 2 * rng.NextDouble(), 0);
            yield return point;
        }
    }
}
