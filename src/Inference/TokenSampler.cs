namespace Pipeline.Inference;

/// <summary>Picks the next token from one row of logits: greedy at temperature 0, else softmax at the
/// temperature restricted to the top-p nucleus. Pure; the scratch buffers are the caller's.</summary>
public static class TokenSampler
{
    public static int Sample(ReadOnlySpan<float> logits, double temperature, double topP, ref SampleRng rng, float[] probs, int[] order)
    {
        if (temperature <= 0) return ArgMax(logits);
        var max = logits[ArgMax(logits)];
        var inv = 1.0 / temperature;
        double sum = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            var p = (float)Math.Exp((logits[i] - max) * inv);
            probs[i] = p;
            sum += p;
        }
        var u = rng.NextDouble();
        if (topP >= 1) return Draw(probs.AsSpan(0, logits.Length), u * sum);

        // Nucleus: the most likely tokens whose mass first reaches top_p (the token crossing it included).
        var n = logits.Length;
        for (var i = 0; i < n; i++) order[i] = i;
        var keys = probs.AsSpan(0, n).ToArray();
        Array.Sort(keys, order, 0, n, Comparer<float>.Create((a, b) => b.CompareTo(a)));
        double kept = 0;
        var count = 0;
        while (count < n)
        {
            kept += keys[count++];
            if (kept >= topP * sum) break;
        }
        var target = u * kept;
        double acc = 0;
        for (var i = 0; i < count; i++)
        {
            acc += keys[i];
            if (acc > target) return order[i];
        }
        return order[count - 1];
    }

    /// <summary>Index of the largest logit; the first one on ties (as torch.argmax).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    private static int Draw(ReadOnlySpan<float> weights, double target)
    {
        double acc = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            acc += weights[i];
            if (acc > target) return i;
        }
        for (var i = weights.Length - 1; i >= 0; i--)
            if (weights[i] > 0) return i;
        return weights.Length - 1;
    }
}
