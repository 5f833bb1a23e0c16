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
        // Only tokens above a falling threshold are sorted: once their mass reaches top_p they hold the
        // whole nucleus, so a 150k-token vocabulary costs a few linear passes, not a full sort per row.
        var n = logits.Length;
        var need = topP * sum;
        var count = 0;
        for (var theta = 0.1f; ; theta *= 0.1f)
        {
            count = 0;
            double mass = 0;
            var floor = theta < 1e-30f ? 0f : theta;   // the largest weight is exactly 1
            for (var i = 0; i < n; i++)
            {
                if (probs[i] < floor) continue;
                order[count++] = i;
                mass += probs[i];
            }
            if (mass >= need || floor == 0f) break;
        }
        // Highest weight first, lower index first on ties: the same order whatever the threshold.
        Array.Sort(order, 0, count, Comparer<int>.Create((a, b) => probs[a] != probs[b] ? probs[b].CompareTo(probs[a]) : a.CompareTo(b)));
        double kept = 0;
        var size = 0;
        while (size < count)
        {
            kept += probs[order[size++]];
            if (kept >= need) break;
        }
        var target = u * kept;
        double acc = 0;
        for (var i = 0; i < size; i++)
        {
            acc += probs[order[i]];
            if (acc > target) return order[i];
        }
        return order[size - 1];
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
