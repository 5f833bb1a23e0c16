namespace Pipeline.Aggregator;

/// <summary>Seeds of expansion requests: a pure function of (run seed, problem, round, request), so a
/// re-requested round samples exactly the same text, and a run resubmitted with the same seed
/// reproduces its samples whatever search ids the database handed out.</summary>
public static class Seeds
{
    public static long ForRequest(long runSeed, long problemId, int round, int requestIndex)
    {
        var h = Mix((ulong)runSeed);
        h = Mix(h ^ (ulong)problemId);
        h = Mix(h ^ (ulong)round);
        h = Mix(h ^ (ulong)requestIndex);
        return (long)(h & long.MaxValue);
    }

    // SplitMix64 finaliser: consecutive inputs give unrelated outputs
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
