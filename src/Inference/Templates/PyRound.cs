using System.Globalization;
using System.Numerics;

namespace Pipeline.Inference.Templates;

/// <summary>Python's round(x, n): for floats the exact binary value is rounded half-to-even at 10^-n and the
/// decimal result read back as the nearest double (CPython's dtoa mode 3 + strtod); for ints, n &lt; 0 rounds to
/// tens, hundreds, ... half-to-even.</summary>
internal static class PyRound
{
    public static object Float(double x, long n)
    {
        if (!double.IsFinite(x) || x == 0) return x;
        if (n > 323) return x;
        if (n < -308) return Math.CopySign(0.0, x);
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(x));
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1;
        else mantissa |= 1L << 52;
        var e = exponent - 1075;
        // |x| * 10^n = num / den exactly.
        var num = new BigInteger(mantissa);
        var den = BigInteger.One;
        if (e >= 0) num <<= e;
        else den <<= -e;
        if (n >= 0) num *= BigInteger.Pow(10, (int)n);
        else den *= BigInteger.Pow(10, (int)-n);
        var q = BigInteger.DivRem(num, den, out var remainder);
        var twice = remainder * 2;
        if (twice > den || (twice == den && !q.IsEven)) q += 1;
        var text = (x < 0 ? "-" : "") + q.ToString(CultureInfo.InvariantCulture) + "E" + (-n).ToString(CultureInfo.InvariantCulture);
        var result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(result)) throw new TemplateRuntimeError("rounded value too large to represent");
        return result;
    }

    public static object Int(long x, long n)
    {
        if (n >= 0) return x;
        if (n < -18) return 0L;
        var unit = (long)Math.Pow(10, -n);
        var q = Math.DivRem(x, unit, out var r);
        if (r < 0) { q -= 1; r += unit; }
        if (2 * r > unit || (2 * r == unit && q % 2 != 0)) q += 1;
        return checked(q * unit);
    }
}
