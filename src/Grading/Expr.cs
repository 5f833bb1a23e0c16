using System.Numerics;

namespace Pipeline.Grading;

/// <summary>A parsed math expression. Values are complex so that "\sqrt{-4}" and answers like "-2 + 7i" evaluate.</summary>
internal abstract record Expr
{
    public abstract Complex Evaluate(IReadOnlyDictionary<string, Complex> vars, GradeBudget budget);

    /// Free variables (names of <see cref="Var"/> nodes).
    public abstract void CollectVariables(ISet<string> into);

    /// True when a "±" occurs (the expression stands for several values).
    public virtual bool HasPlusMinus => false;

    /// The expressions obtained by choosing + or - at every "±".
    public virtual IEnumerable<Expr> ExpandPlusMinus() { yield return this; }
}

internal sealed record Num(Complex Value) : Expr
{
    public override Complex Evaluate(IReadOnlyDictionary<string, Complex> vars, GradeBudget budget) { budget.Step(); return Value; }
    public override void CollectVariables(ISet<string> into) { }
}

internal sealed record Var(string Name) : Expr
{
    public override Complex Evaluate(IReadOnlyDictionary<string, Complex> vars, GradeBudget budget)
    {
        budget.Step();
        return vars.TryGetValue(Name, out var v) ? v : throw new GradingException($"no value for variable {Name}");
    }
    public override void CollectVariables(ISet<string> into) => into.Add(Name);
}

internal enum BinaryOp { Add, Sub, Mul, Div, Pow, PlusMinus }

internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr
{
    public override Complex Evaluate(IReadOnlyDictionary<string, Complex> vars, GradeBudget budget)
    {
        budget.Step();
        var a = Left.Evaluate(vars, budget);
        var b = Right.Evaluate(vars, budget);
        return Op switch
        {
            BinaryOp.Add => a + b,
            BinaryOp.Sub => a - b,
            BinaryOp.Mul => a * b,
            BinaryOp.Div => b == Complex.Zero ? new Complex(double.NaN, double.NaN) : a / b,
            BinaryOp.Pow => Power(a, b),
            _ => throw new GradingException("± has no single value"),
        };
    }

    // A negative real base with an exponent p/q, q odd, stays real: (-8)^(1/3) is -2 to a MATH reader, not a complex root.
    private static Complex Power(Complex a, Complex b)
    {
        if (a.Imaginary == 0 && b.Imaginary == 0)
        {
            var x = a.Real;
            var y = b.Real;
            if (x >= 0 || y == System.Math.Floor(y)) return new Complex(System.Math.Pow(x, y), 0);
            for (var q = 3; q <= 15; q += 2)
            {
                var p = y * q;
                if (System.Math.Abs(p - System.Math.Round(p)) > 1e-9) continue;
                var magnitude = System.Math.Pow(-x, y);
                return new Complex(((long)System.Math.Round(p) & 1) == 1 ? -magnitude : magnitude, 0);
            }
        }
        if (a == Complex.Zero) return b.Real > 0 ? Complex.Zero : new Complex(double.NaN, double.NaN);
        return Complex.Pow(a, b);
    }

    public override void CollectVariables(ISet<string> into) { Left.CollectVariables(into); Right.CollectVariables(into); }

    public override bool HasPlusMinus => Op == BinaryOp.PlusMinus || Left.HasPlusMinus || Right.HasPlusMinus;

    public override IEnumerable<Expr> ExpandPlusMinus()
    {
        foreach (var l in Left.ExpandPlusMinus())
        foreach (var r in Right.ExpandPlusMinus())
        {
            if (Op == BinaryOp.PlusMinus)
            {
                yield return new Binary(BinaryOp.Add, l, r);
                yield return new Binary(BinaryOp.Sub, l, r);
            }
            else yield return this with { Left = l, Right = r };
        }
    }
}

internal sealed record Neg(Expr Operand) : Expr
{
    public override Complex Evaluate(IReadOnlyDictionary<string, Complex> vars, GradeBudget budget) { budget.Step(); return -Operand.Evaluate(vars, budget); }
    public override void CollectVariables(ISet<string> into) => Operand.CollectVariables(into);
    public override bool HasPlusMinus => Operand.HasPlusMinus;
    public override IEnumerable<Expr> ExpandPlusMinus() => Operand.ExpandPlusMinus().Select(e => (Expr)new Neg(e));
}

/// <summary>"±a" with nothing before it: the values a and -a.</summary>
internal sealed record UnaryPlusMinus(Expr Operand) : Expr
{
    public override Complex Evaluate(IReadOnlyDictionary<string, Complex> vars, GradeBudget budget) => throw new GradingException("± has no single value");
    public override void CollectVariables(ISet<string> into) => Operand.CollectVariables(into);
    public override bool HasPlusMinus => true;
    public override IEnumerable<Expr> ExpandPlusMinus()
    {
        foreach (var e in Operand.ExpandPlusMinus())
        {
            yield return e;
            yield return new Neg(e);
        }
    }
}

internal sealed record Func(string Name, Expr Arg) : Expr
{
    public static readonly HashSet<string> Known =
    [
        "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "ln", "log", "exp", "sqrt", "abs", "fact", "floor", "ceil",
    ];

    public override Complex Evaluate(IReadOnlyDictionary<string, Complex> vars, GradeBudget budget)
    {
        budget.Step();
        var x = Arg.Evaluate(vars, budget);
        return Name switch
        {
            "sin" => Complex.Sin(x),
            "cos" => Complex.Cos(x),
            "tan" => Complex.Tan(x),
            "cot" => 1 / Complex.Tan(x),
            "sec" => 1 / Complex.Cos(x),
            "csc" => 1 / Complex.Sin(x),
            "arcsin" => Complex.Asin(x),
            "arccos" => Complex.Acos(x),
            "arctan" => Complex.Atan(x),
            "sinh" => Complex.Sinh(x),
            "cosh" => Complex.Cosh(x),
            "tanh" => Complex.Tanh(x),
            "ln" or "log" => Complex.Log(x),
            "exp" => Complex.Exp(x),
            "sqrt" => x.Imaginary == 0 && x.Real >= 0 ? new Complex(System.Math.Sqrt(x.Real), 0) : Complex.Sqrt(x),
            "abs" => new Complex(Complex.Abs(x), 0),
            "floor" => new Complex(System.Math.Floor(x.Real), 0),
            "ceil" => new Complex(System.Math.Ceiling(x.Real), 0),
            "fact" => Factorial(x),
            _ => throw new GradingException($"unknown function {Name}"),
        };
    }

    private static Complex Factorial(Complex x)
    {
        var n = x.Real;
        if (x.Imaginary != 0 || n < 0 || n != System.Math.Floor(n) || n > 170) return new Complex(double.NaN, 0);
        double f = 1;
        for (var k = 2; k <= (int)n; k++) f *= k;
        return new Complex(f, 0);
    }

    public override void CollectVariables(ISet<string> into) => Arg.CollectVariables(into);
    public override bool HasPlusMinus => Arg.HasPlusMinus;
    public override IEnumerable<Expr> ExpandPlusMinus() => Arg.ExpandPlusMinus().Select(a => (Expr)new Func(Name, a));
}

/// <summary>The root of a base: \sqrt[n]{x}. Odd roots of negative reals stay real.</summary>
internal sealed record Root(Expr Degree, Expr Radicand) : Expr
{
    public override Complex Evaluate(IReadOnlyDictionary<string, Complex> vars, GradeBudget budget)
    {
        budget.Step();
        var n = Degree.Evaluate(vars, budget);
        var x = Radicand.Evaluate(vars, budget);
        if (n.Imaginary == 0 && x.Imaginary == 0)
        {
            if (x.Real >= 0) return new Complex(System.Math.Pow(x.Real, 1 / n.Real), 0);
            var k = n.Real;
            if (k == System.Math.Floor(k) && ((long)k & 1) == 1) return new Complex(-System.Math.Pow(-x.Real, 1 / k), 0);
        }
        return Complex.Pow(x, 1 / n);
    }

    public override void CollectVariables(ISet<string> into) { Degree.CollectVariables(into); Radicand.CollectVariables(into); }
    public override bool HasPlusMinus => Degree.HasPlusMinus || Radicand.HasPlusMinus;
    public override IEnumerable<Expr> ExpandPlusMinus() => Radicand.ExpandPlusMinus().Select(r => (Expr)new Root(Degree, r));
}
