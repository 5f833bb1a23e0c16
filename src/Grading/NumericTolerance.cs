using System.Numerics;

namespace Pipeline.Grading;

/// <summary>When two computed numbers count as equal.</summary>
/// <remarks>
/// With d = |a - b| and m = max(|a|, |b|), equal when both hold:
/// <list type="bullet">
/// <item>d ≤ max(1e-6, 1e-12·m): agreement to six decimal places, as Math-Verify's default float rounding
/// ("0.305556" is 11/36, "3.14159" is not π, 7425000 is not 7425001); the relative part absorbs double rounding above 1e6;</item>
/// <item>d ≤ 1e-5·m, unless m &lt; 1e-10: five significant digits, so tiny answers stay apart (.0000672 is not .0000671)
/// while values that are zero up to rounding (sin π) still equal 0.</item>
/// </list>
/// Infinities are equal when they point the same way.
/// </remarks>
internal static class NumericTolerance
{
    public const double AbsoluteTolerance = 1e-6;
    public const double RelativeTolerance = 1e-5;

    public static bool Close(Complex a, Complex b)
    {
        if (IsNaN(a) || IsNaN(b)) return false;
        if (IsInfinite(a) || IsInfinite(b))
            return IsInfinite(a) && IsInfinite(b) && System.Math.Sign(a.Real) == System.Math.Sign(b.Real) && System.Math.Sign(a.Imaginary) == System.Math.Sign(b.Imaginary);
        var d = Complex.Abs(a - b);
        var m = System.Math.Max(Complex.Abs(a), Complex.Abs(b));
        return d <= System.Math.Max(AbsoluteTolerance, 1e-12 * m) && (d <= RelativeTolerance * m || m < 1e-10);
    }

    public static bool IsNaN(Complex z) => double.IsNaN(z.Real) || double.IsNaN(z.Imaginary);

    public static bool IsInfinite(Complex z) => double.IsInfinity(z.Real) || double.IsInfinity(z.Imaginary);

    public static bool IsFinite(Complex z) => !IsNaN(z) && !IsInfinite(z);
}
