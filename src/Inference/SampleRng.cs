namespace Pipeline.Inference;

/// <summary>SplitMix64 stream for one sample. Seeded from (request seed, sample index) only, so a
/// sample draws the same numbers whatever else shares its batch, and a redelivered request
/// regenerates the same text. Written out (not System.Random) so the stream never changes under us.</summary>
public struct SampleRng
{
    private ulong _state;

    public SampleRng(long seed, int sampleIndex)
    {
        _state = Mix((ulong)seed) ^ Mix(0x9E3779B97F4A7C15UL * (ulong)(sampleIndex + 1));
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
