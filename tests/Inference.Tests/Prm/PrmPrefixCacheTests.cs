namespace Pipeline.Inference.Tests.Prm;

/// <summary>The cache's bookkeeping alone (no model): which entry a lookup finds, when runs are let go.</summary>
public class PrmPrefixCacheTests
{
    private sealed class Owner : IDisposable
    {
        public int Disposed { get; private set; }
        public void Dispose() => Disposed++;
    }

    // A run of `rows` rows of `total` positions each, as the scorer makes it (the scorer's own hold released).
    private static (PrmRun Run, Owner Owner) Run(int rows, int total)
    {
        var owner = new Owner();
        var run = new PrmRun(Enumerable.Range(0, rows).ToArray(), total, total, [], new long[rows * total], null, owner);
        return (run, owner);
    }

    private static Dictionary<int, float[]> Scores(params int[] at) => at.ToDictionary(p => p, p => new float[] { p });

    [Fact]
    public void Finds_the_longest_kept_prefix_within_the_range_and_checks_the_ids()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 1000);
        int[] ids = [5, 6, 7, 8, 9, 10, 11, 12];
        var h = PrmPrefixCache.PrefixHashes(ids);
        var (run, _) = Run(2, 10);
        cache.Add(ids, 3, h, run.Row(0), Scores(2));
        cache.Add(ids, 6, h, run.Row(1), Scores(2, 5));
        run.Dispose();

        Assert.Equal(6, cache.Longest(ids, h, after: 0, upTo: 8, _ => true)!.Length);
        Assert.Equal(3, cache.Longest(ids, h, after: 0, upTo: 5, _ => true)!.Length);
        Assert.Null(cache.Longest(ids, h, after: 6, upTo: 8, _ => true));
        Assert.Equal(3, cache.Longest(ids, h, 0, 8, e => e.Length < 6)!.Length);   // the caller's test passes over an entry
        int[] other = [5, 6, 7, 8, 9, 99, 11, 12];
        Assert.Equal(3, cache.Longest(other, PrmPrefixCache.PrefixHashes(other), 0, 8, _ => true)!.Length);
        // A hash that collides must not match ids that differ.
        int[] forged = [1, 1, 1];
        Assert.Null(cache.Longest(forged, h, 0, 3, _ => true));
    }

    [Fact]
    public void A_run_is_released_when_its_last_entry_goes()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 1000);
        int[] a = [1, 2, 3, 4], b = [7, 8, 9, 10];
        var (run, owner) = Run(2, 4);
        var ea = cache.Add(a, 4, PrmPrefixCache.PrefixHashes(a), run.Row(0), Scores());
        var eb = cache.Add(b, 4, PrmPrefixCache.PrefixHashes(b), run.Row(1), Scores());
        run.Dispose();   // the call ends
        Assert.Equal(0, owner.Disposed);
        Assert.Equal(8, cache.HeldPositions);   // the whole run, once

        cache.Remove(ea);
        Assert.Equal(0, owner.Disposed);
        cache.Remove(eb);
        Assert.Equal(1, owner.Disposed);
        Assert.Equal(0, cache.HeldPositions);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_call_drops_the_entries_it_extended_and_the_least_recently_used_beyond_the_budget()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 15);
        var owners = new List<Owner>();
        var entries = new List<PrmPrefixCache.Entry>();
        for (var i = 0; i < 3; i++)
        {
            int[] ids = [i, i, i, i];
            var (run, owner) = Run(1, 10);
            owners.Add(owner);
            entries.Add(cache.Add(ids, 4, PrmPrefixCache.PrefixHashes(ids), run.Row(0), Scores()));
            run.Dispose();
        }
        cache.Touch(entries[0]);   // used again: entry 1 is now the least recently used
        entries[2].Superseded = true;

        cache.EndCall();

        Assert.Equal([0, 1, 1], owners.Select(o => o.Disposed));   // 2 extended, then 1 for the budget (20 > 15)
        Assert.Equal(1, cache.Count);
        Assert.Equal(10, cache.HeldPositions);
    }
}
