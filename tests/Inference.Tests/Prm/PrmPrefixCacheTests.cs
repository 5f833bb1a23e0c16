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
    private static (KvRow Row, Owner Owner) Row(int length, KvRow? basePrefix = null)
    {
        var owner = new Owner();
        return (KvRow.Owned(IntPtr.Zero, owner, length, basePrefix), owner);
    }

    private static PrmPrefixCache.Entry Kept(PrmPrefixCache.Entry? e) => e ?? throw new Xunit.Sdk.XunitException("the prefix was not kept");

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
        var ea = Kept(cache.Add(a, 4, PrmPrefixCache.PrefixHashes(a), ra, Scores()));
        cache.Add(b, 5, PrmPrefixCache.PrefixHashes(b), rb, Scores());
        Assert.Equal(9, cache.HeldPositions);
        Assert.Same(ra, ea.Row);

        cache.Remove(ea);
        Assert.Equal((1, 0), (oa.Disposed, ob.Disposed));
        cache.Remove(ea);   // gone already: not freed twice
        Assert.Equal(1, oa.Disposed);
        Assert.Equal(5, cache.HeldPositions);
        // The same prefix kept again replaces the old entry.
        var (rb2, ob2) = Row(5);
        cache.Add(b, 5, PrmPrefixCache.PrefixHashes(b), rb2, Scores());
        Assert.Equal((1, 1), (cache.Count, ob.Disposed));
        // Another prefix whose hash collides is not kept: the kept one stays (rows that continue it may be in use).
        var (rc, oc) = Row(5);
        int[] c = [70, 80, 90, 100, 110];
        Assert.Null(cache.Add(c, 5, PrmPrefixCache.PrefixHashes(b), rc, Scores()));
        Assert.Equal((1, 1, 0), (cache.Count, oc.Disposed, ob2.Disposed));
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
            entries.Add(Kept(cache.Add(ids, 10, PrmPrefixCache.PrefixHashes(ids), row, Scores())));
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
            var e = Kept(cache.Add(ids, 4, PrmPrefixCache.PrefixHashes(ids), row, Scores(), search));
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

    [Fact]
    public void A_kept_prefix_holds_only_its_own_positions_after_its_parent_and_goes_with_it()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 1000);
        int[] ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var h = PrmPrefixCache.PrefixHashes(ids);
        var (problemRow, problemOwner) = Row(4);
        var problem = Kept(cache.Add(ids, 4, h, problemRow, Scores()));
        var (stepRow, stepOwner) = Row(3, problemRow);   // positions 4..6 after the problem's
        var step = Kept(cache.Add(ids, 7, h, stepRow, Scores(6), parent: problem));
        var (nextRow, nextOwner) = Row(3, stepRow);
        var next = Kept(cache.Add(ids, 10, h, nextRow, Scores(6, 9), parent: step));

        Assert.Equal(10, cache.HeldPositions);   // 4 + 3 + 3, not 4 + 7 + 10
        Assert.Equal((10, 7, 3), (next.Row.Length, next.Row.Offset, next.Row.OwnLength));
        Assert.Equal([problemRow, stepRow, nextRow], next.Row.Pieces());
        Assert.Equal(Enumerable.Repeat(1L, 10), next.Row.Mask);
        Assert.Throws<ArgumentException>(() => cache.Add(ids, 10, h, Row(6).Row, Scores(), parent: problem));   // row does not continue it

        cache.Remove(step);   // its child cannot outlive the positions it continues
        Assert.Equal((0, 1, 1), (problemOwner.Disposed, stepOwner.Disposed, nextOwner.Disposed));
        Assert.Equal((1, 4L), (cache.Count, cache.HeldPositions));
        Assert.Empty(problem.Children);
    }

    [Fact]
    public void Using_a_prefix_uses_its_parents_so_the_budget_evicts_leaves_first()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 12);
        int[] a = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], b = [2, 2, 2, 2, 2, 2], c = [3, 3, 3, 3];
        var (otherRow, otherOwner) = Row(6);
        cache.Add(b, 6, PrmPrefixCache.PrefixHashes(b), otherRow, Scores());
        var (problemRow, problemOwner) = Row(4);
        var problem = Kept(cache.Add(a, 4, PrmPrefixCache.PrefixHashes(a), problemRow, Scores()));
        var (beamRow, beamOwner) = Row(6, problemRow);
        var beam = Kept(cache.Add(a, 10, PrmPrefixCache.PrefixHashes(a), beamRow, Scores(), parent: problem));
        cache.EndCall();
        // 16 positions: the least recently used goes, which is the other prefix, not the problem under the newer beam
        Assert.Equal((0, 0, 1), (problemOwner.Disposed, beamOwner.Disposed, otherOwner.Disposed));

        var (newRow, newOwner) = Row(4);
        cache.Add(c, 4, PrmPrefixCache.PrefixHashes(c), newRow, Scores());
        cache.Touch(beam);   // the next call continues the beam: the problem under it is used too
        cache.EndCall();
        Assert.Equal((0, 0, 1), (problemOwner.Disposed, beamOwner.Disposed, newOwner.Disposed));
        Assert.Equal(10, cache.HeldPositions);
    }

    [Fact]
    public void A_prefix_a_call_only_started_from_stays_while_a_kept_prefix_continues_it()
    {
        using var cache = new PrmPrefixCache(budgetPositions: 1000);
        int[] ids = [1, 2, 3, 4, 5, 6, 7, 8];
        var h = PrmPrefixCache.PrefixHashes(ids);
        var (oldBeamRow, oldBeamOwner) = Row(4);
        var oldBeam = Kept(cache.Add(ids, 4, h, oldBeamRow, Scores()));
        var (leafRow, leafOwner) = Row(2);
        int[] other = [9, 9];
        var leaf = Kept(cache.Add(other, 2, PrmPrefixCache.PrefixHashes(other), leafRow, Scores()));
        cache.EndCall();

        // the next call starts a longer node from each; only the first of those nodes is kept (others continue it)
        oldBeam.Superseded = true;
        leaf.Superseded = true;
        var (beamRow, _) = Row(4, oldBeamRow);
        cache.Add(ids, 8, h, beamRow, Scores(), parent: oldBeam);
        cache.EndCall();

        Assert.Equal((0, 1), (oldBeamOwner.Disposed, leafOwner.Disposed));
        Assert.Equal((2, 8L), (cache.Count, cache.HeldPositions));
        Assert.False(oldBeam.Superseded);
    }
}
