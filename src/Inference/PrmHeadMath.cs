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

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}
