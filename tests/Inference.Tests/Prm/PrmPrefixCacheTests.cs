namespace Pipeline.Inference.Tests.Prm;

/// <summary>The cache's bookkeeping alone (no model): which entry a lookup finds, when runs are let go.</summary>
public class PrmPrefixCacheTests
{
    private sealed class Owner : IDisposable
    {
        public int Disposed { get; private set; }
        public void Dispose() => Disposed++;
    }

    // A row of its own, as the scorer keeps it (no buffer behind it: the cache never reads one).
    private static (KvRow Row, Owner Owner) Row(int length)
    {
        var owner = new Owner();
        return (KvRow.Owned(IntPtr.Zero, owner, length), owner);
    }

    private static Dictionary<int, float[]> Scores(params int[] at) => at.ToDictionary(p => p, p => new float[] { p });

    [Fact]
    public void Finds_the_kept_prefixes_within_the_range_shortest_first_and_checks_the_ids()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 1000);
        int[] ids = [5, 6, 7, 8, 9, 10, 11, 12];
        var h = PrmPrefixCache.PrefixHashes(ids);
        cache.Add(ids, 3, h, Row(3).Row, Scores(2));
        cache.Add(ids, 6, h, Row(6).Row, Scores(2, 5));

        int[] Lengths(int[] of, ulong[] hashes, int after, int upTo) => cache.Within(of, hashes, after, upTo).Select(e => e.Length).ToArray();
        Assert.Equal([3, 6], Lengths(ids, h, after: 0, upTo: 8));   // shortest first: the scorer takes the last it accepts
        Assert.Equal([3], Lengths(ids, h, after: 0, upTo: 5));
        Assert.Empty(Lengths(ids, h, after: 6, upTo: 8));
        int[] other = [5, 6, 7, 8, 9, 99, 11, 12];
        Assert.Equal([3], Lengths(other, PrmPrefixCache.PrefixHashes(other), 0, 8));
        // A hash that collides must not match ids that differ.
        int[] forged = [1, 1, 1];
        Assert.Empty(Lengths(forged, h, 0, 3));
    }

    [Fact]
    public void An_entry_frees_its_row_when_it_goes_and_counts_its_positions_while_it_stays()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 1000);
        int[] a = [1, 2, 3, 4], b = [7, 8, 9, 10, 11];
        var (ra, oa) = Row(4);
        var (rb, ob) = Row(5);
        var ea = cache.Add(a, 4, PrmPrefixCache.PrefixHashes(a), ra, Scores());
        cache.Add(b, 5, PrmPrefixCache.PrefixHashes(b), rb, Scores());
        Assert.Equal(9, cache.HeldPositions);
        Assert.Same(ra, ea.Row);

        cache.Remove(ea);
        Assert.Equal((1, 0), (oa.Disposed, ob.Disposed));
        cache.Remove(ea);   // gone already: not freed twice
        Assert.Equal(1, oa.Disposed);
        Assert.Equal(5, cache.HeldPositions);
        // The same prefix kept again replaces the old entry.
        var (rb2, _) = Row(5);
        cache.Add(b, 5, PrmPrefixCache.PrefixHashes(b), rb2, Scores());
        Assert.Equal((1, 1), (cache.Count, ob.Disposed));
        cache.Clear();
        Assert.Equal(0, cache.HeldPositions);
    }

    [Fact]
    public void A_call_drops_the_entries_it_extended_and_the_least_recently_used_beyond_the_budget()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 15);
        var owners = new List<Owner>();
        var entries = new List<PrmPrefixCache.Entry>();
        for (var i = 0; i < 3; i++)
        {
            int[] ids = [i, i, i, i, i, i, i, i, i, i];
            var (row, owner) = Row(10);
            owners.Add(owner);
            entries.Add(cache.Add(ids, 10, PrmPrefixCache.PrefixHashes(ids), row, Scores()));
        }
        cache.Touch(entries[0]);   // used again: entry 1 is now the least recently used
        entries[2].Superseded = true;

        cache.EndCall();

        Assert.Equal([0, 1, 1], owners.Select(o => o.Disposed));   // 2 extended, then 1 for the budget (20 > 15)
        Assert.Equal(1, cache.Count);
        Assert.Equal(10, cache.HeldPositions);
        Assert.Equal(1, cache.Evicted);
    }

    [Fact]
    public void A_call_drops_what_it_did_not_use_of_its_own_searches_and_leaves_other_searches_alone()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 1000);
        var owners = new Dictionary<PrmPrefixCache.Entry, Owner>();
        PrmPrefixCache.Entry Add(int first, long? search)
        {
            int[] ids = [first, 2, 3, 4];
            var (row, owner) = Row(4);
            var e = cache.Add(ids, 4, PrmPrefixCache.PrefixHashes(ids), row, Scores(), search);
            owners[e] = owner;
            return e;
        }
        var used = Add(1, search: 7);
        var pruned = Add(2, search: 7);
        var otherSearch = Add(3, search: 8);
        var unknown = Add(4, search: null);
        cache.EndCall(new HashSet<long> { 7 });   // the call that made them keeps them all
        Assert.Equal(4, cache.Count);

        cache.Touch(used);   // the next call of search 7 continues one of its prefixes
        cache.EndCall(new HashSet<long> { 7 });

        Assert.Equal(1, owners[pruned].Disposed);
        Assert.Equal(3, cache.Count);
        Assert.All(new[] { used, otherSearch, unknown }, e => Assert.Equal(0, owners[e].Disposed));
    }
}
