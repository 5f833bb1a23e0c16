namespace Pipeline.Inference;

/// <summary>A step's score from the PRM output at its marker token, per head kind. Pure.</summary>
public static class PrmHeadMath
{
    /// <summary>Value head: the output is already a probability.</summary>
    public static double Value(float score) => score;

    /// <summary>Two-class head: softmax over the two logits, probability of class 1 ("correct").</summary>
    public static double TwoClass(float wrong, float right) => Sigmoid((double)right - wrong);

    /// <summary>Token-logits head: softmax over the good and bad token logits only, probability of good.</summary>
    public static double GoodBad(float good, float bad) => Sigmoid((double)good - bad);

    /// <summary>Softmax over two logits, probability of class <paramref name="index"/> (0 or 1).</summary>
    public static double Softmax2(float first, float second, int index) =>
        index == 1 ? Sigmoid((double)second - first) : Sigmoid((double)first - second);

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}
