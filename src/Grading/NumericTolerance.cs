using System.Numerics;

namespace Pipeline.Grading;

/// <summary>When two computed numbers count as equal.</summary>
/// <remarks>
/// |a - b| ≤ max(1e-6 · min(1, m), 1e-12 · m) with m = max(|a|, |b|): relative 1e-6 for magnitudes up to 1 and absolute 1e-6 above, so "0.333333" equals 1/3
/// (six decimals, as Math-Verify's default float rounding), 7425000 never equals 7425001, and .0000672 never equals .0000671.
/// Infinities are equal when they point the same way.
/// </remarks>
internal static class NumericTolerance
{
    public const double Tolerance = 1e-6;

    public static bool Close(Complex a, Complex b)
    {
        if (IsNaN(a) || IsNaN(b)) return false;
        if (IsInfinite(a) || IsInfinite(b))
            return IsInfinite(a) && IsInfinite(b) && System.Math.Sign(a.Real) == System.Math.Sign(b.Real) && System.Math.Sign(a.Imaginary) == System.Math.Sign(b.Imaginary);
        var magnitude = System.Math.Max(Complex.Abs(a), Complex.Abs(b));
        // Above 1e6 double rounding of computed values grows past 1e-6 absolute; 1e-12 relative still tells integers apart there.
        // The tiny absolute slack keeps exact ties (1/3 vs 0.333333 sits exactly on the bound) on the equal side.
        var bound = System.Math.Max(Tolerance * System.Math.Min(1.0, magnitude), 1e-12 * magnitude) + 1e-15;
        return Complex.Abs(a - b) <= bound;
    }

    public static bool IsNaN(Complex z) => double.IsNaN(z.Real) || double.IsNaN(z.Imaginary);

    public static bool IsInfinite(Complex z) => double.IsInfinity(z.Real) || double.IsInfinity(z.Imaginary);

    public static bool IsFinite(Complex z) => !IsNaN(z) && !IsInfinite(z);
}
