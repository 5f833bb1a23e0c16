namespace Pipeline.Inference.Tests;

public sealed class SamplerTests
{
    private static readonly float[] Logits = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)];

    private static double[] Frequencies(double temperature, double topP, int draws = 40000)
    {
        var rng = new SampleRng(1, 0);
        var counts = new double[Logits.Length];
        var probs = new float[Logits.Length];
        var order = new int[Logits.Length];
        for (var i = 0; i < draws; i++) counts[TokenSampler.Sample(Logits, temperature, topP, ref rng, probs, order)]++;
        return counts.Select(c => c / draws).ToArray();
    }

    [Fact]
    public void Temperature_one_follows_the_softmax()
    {
        var f = Frequencies(1, 1);
        Assert.Equal(0.5, f[0], 0.015);
        Assert.Equal(0.3, f[1], 0.015);
        Assert.Equal(0.15, f[2], 0.015);
        Assert.Equal(0.05, f[3], 0.01);
    }

    [Fact]
    public void Top_p_keeps_the_nucleus_and_renormalises()
    {
        // 0.5 + 0.3 >= 0.7: only the first two tokens, in ratio 5:3.
        var f = Frequencies(1, 0.7);
        Assert.Equal(0, f[2] + f[3]);
        Assert.Equal(0.625, f[0], 0.015);
    }

    [Fact]
    public void Low_temperature_sharpens_and_zero_is_argmax()
    {
        Assert.True(Frequencies(0.3, 1)[0] > 0.8);
        var rng = new SampleRng(5, 5);
        Assert.Equal(2, TokenSampler.Sample([0f, 1f, 3f, 3f], 0, 1, ref rng, new float[4], new int[4]));
    }

    [Fact]
    public void Streams_depend_on_seed_and_sample_index_only()
    {
        var a = new SampleRng(9, 3);
        var b = new SampleRng(9, 3);
        var c = new SampleRng(9, 4);
        var xs = Enumerable.Range(0, 5).Select(_ => a.NextUInt64()).ToArray();
        Assert.Equal(xs, Enumerable.Range(0, 5).Select(_ => b.NextUInt64()).ToArray());
        Assert.NotEqual(xs, Enumerable.Range(0, 5).Select(_ => c.NextUInt64()).ToArray());
    }

    [Fact]
    public void Nucleus_on_a_large_vocabulary_matches_a_full_sort()
    {
        var gen = new Random(11);
        for (var trial = 0; trial < 50; trial++)
        {
            var logits = Enumerable.Range(0, 5000).Select(_ => (float)(gen.NextDouble() * 12 - 6)).ToArray();
            var topP = 0.05 + 0.9 * gen.NextDouble();
            var temperature = 0.5 + gen.NextDouble();
            var rng = new SampleRng(trial, 0);
            var got = TokenSampler.Sample(logits, temperature, topP, ref rng, new float[5000], new int[5000]);

            // Reference: every token sorted by weight (ties by index), nucleus prefix, inverse CDF.
            var max = logits.Max();
            var w = logits.Select(l => (float)Math.Exp((l - max) * (1.0 / temperature))).ToArray();
            var sum = w.Aggregate(0.0, (a, x) => a + x);
            var refRng = new SampleRng(trial, 0);
            var u = refRng.NextDouble();
            var sorted = Enumerable.Range(0, w.Length).OrderByDescending(i => w[i]).ThenBy(i => i).ToList();
            double kept = 0;
            var size = 0;
            while (size < sorted.Count) { kept += w[sorted[size++]]; if (kept >= topP * sum) break; }
            double acc = 0;
            var want = sorted[size - 1];
            for (var i = 0; i < size; i++) { acc += w[sorted[i]]; if (acc > u * kept) { want = sorted[i]; break; } }
            Assert.Equal(want, got);
        }
    }
}
