namespace Pipeline.Inference;

/// <summary>KV caches of prefixes a shared-cache PRM ran, kept across scoring calls. A beam search's next
/// round scores each kept beam plus M new steps, and the beam is this round's prefix plus the step it chose,
/// so with this round's prefixes kept the next round prefills one step a beam instead of the problem and
/// every earlier step again. The entries form a tree of segments: an entry holds only the positions after its
/// <see cref="Entry.Parent"/>'s (a beam's own step after the prefix it continued), in a buffer of its own (real
/// positions only, copied out of the run). Whole-prefix copies held each beam's problem and earlier steps again:
/// on an H200 at beam search N=256 a 30 GiB budget held 809 prefixes of ~600 tokens of a 7B PRM against 2,560
/// candidates a round, and 4% of the tokens came from the cache. Token ids are matched exactly (a hash finds
/// candidates), and the head's scores at the step markers inside a prefix are kept with it.
/// After a call the entries at its tree's inner nodes stay (the problem, the branch points where beams share
/// earlier steps, each beam) with their parents: the next round's branch points are among them. An entry that a
/// call only started a longer node from is dropped unless a kept entry continues it. Using an entry uses its
/// parents, so a parent is always more recent than its children and past the budget the least recently used
/// (a leaf) goes first; an entry that goes takes its children with it.
/// Workers stay stateless: a miss (another worker scored the previous round, an entry evicted) only costs
/// the prefill the PRM would have done anyway.</summary>
internal sealed class PrmPrefixCache : IDisposable
{
    public sealed class Entry
    {
        internal Entry(int[] ids, ulong hash, KvRow row, Dictionary<int, float[]> scores, long? search, Entry? parent) =>
            (Ids, Hash, Row, Scores, Search, Parent) = (ids, hash, row, scores, search, parent);

        public int[] Ids { get; }
        public int Length => Ids.Length;
        internal ulong Hash { get; }
        public KvRow Row { get; }
        /// <summary>The head's output row at each step marker inside the prefix, by position.</summary>
        public Dictionary<int, float[]> Scores { get; }
        /// <summary>The search whose candidates ran this prefix (null: unknown, or several).</summary>
        public long? Search { get; }
        /// <summary>The entry whose row holds this one's first positions (<see cref="KvRow.Base"/>); null: the row holds all.</summary>
        public Entry? Parent { get; }
        internal List<Entry> Children { get; } = [];
        /// <summary>The call that last used or made it.</summary>
        internal long LastCall { get; set; }
        /// <summary>Only started from in the current call (a node ran on past its end): dropped at the call's end unless a
        /// kept entry continues it.</summary>
        internal bool Superseded { get; set; }
    }

    private readonly Dictionary<(int Length, ulong Hash), Entry> _entries = [];
    private readonly SortedSet<int> _lengths = [];
    private readonly Dictionary<int, int> _lengthCounts = [];
    private readonly RecentlyUsed<Entry> _recent = new();
    private long _call;

    public PrmPrefixCache(long budgetPositions) => BudgetPositions = budgetPositions;

    /// <summary>Most cache positions (summed over the entries) kept between calls.</summary>
    public long BudgetPositions { get; }
    public long HeldPositions => _recent.Size;
    public int Count => _entries.Count;
    /// <summary>The entries, most recently used first.</summary>
    public IEnumerable<Entry> Entries => _recent.Items;
    public long Evicted { get; private set; }

    /// <summary>Polynomial hashes of every prefix of <paramref name="ids"/>: element t is the hash of ids[0..t).</summary>
    public static ulong[] PrefixHashes(int[] ids)
    {
        var h = new ulong[ids.Length + 1];
        for (var t = 0; t < ids.Length; t++) h[t + 1] = unchecked(h[t] * 1_000_003UL + (ulong)ids[t] + 1);
        return h;
    }

    /// <summary>Every entry that is a prefix of ids[0..upTo) longer than <paramref name="after"/> tokens, shortest first.</summary>
    public IEnumerable<Entry> Within(int[] ids, ulong[] hashes, int after, int upTo)
    {
        if (_entries.Count == 0 || upTo <= after) yield break;
        foreach (var length in _lengths.GetViewBetween(after + 1, upTo).ToList())
            if (Find(ids, length, hashes) is { } e)
                yield return e;
    }

    /// <summary>The entry for ids[0..length), if kept.</summary>
    public Entry? Find(int[] ids, int length, ulong[] hashes) =>
        _entries.TryGetValue((length, hashes[length]), out var e) && ids.AsSpan(0, length).SequenceEqual(e.Ids) ? e : null;

    /// <summary>Makes ids[0..length) an entry served by <paramref name="row"/>, whose own buffer the cache frees when the
    /// entry goes. <paramref name="parent"/> is the entry whose row is <paramref name="row"/>'s base (null when the row
    /// holds every position). The same prefix kept again replaces the old entry; null (and the row freed) when another
    /// prefix with the same length and hash is kept, which stays: rows that continue it may be in use.</summary>
    public Entry? Add(int[] ids, int length, ulong[] hashes, KvRow row, Dictionary<int, float[]> scores, long? search = null, Entry? parent = null)
    {
        if (!ReferenceEquals(row.Base, parent?.Row)) throw new ArgumentException("the row must continue its parent's row", nameof(parent));
        if (parent is not null && !_recent.Contains(parent)) throw new ArgumentException("the parent is not kept", nameof(parent));
        if (_entries.ContainsKey((length, hashes[length])))
        {
            if (Find(ids, length, hashes) is not { } old)
            {
                row.Release();
                return null;
            }
            Remove(old);
        }
        var e = new Entry(ids[..length], hashes[length], row, scores, search, parent) { LastCall = _call };
        _entries[(length, e.Hash)] = e;
        _lengthCounts[length] = _lengthCounts.GetValueOrDefault(length) + 1;
        _lengths.Add(length);
        _recent.Add(e, row.OwnLength);
        parent?.Children.Add(e);
        Touch(parent);
        return e;
    }

    /// <summary>Marks <paramref name="e"/> and its parents used by this call.</summary>
    public void Touch(Entry? e)
    {
        for (; e is not null; e = e.Parent)
            if (_recent.Touch(e)) e.LastCall = _call;
    }

    /// <summary>Ends a call: drops those of <paramref name="searches"/>' entries (the call's) that it neither used nor made
    /// (a pruned beam: the search's next round continues only this round's prefixes), the entries it only started from
    /// that nothing kept continues, then the least recently used beyond the budget.</summary>
    public void EndCall(IReadOnlySet<long>? searches = null)
    {
        if (searches is not null)
            foreach (var e in _recent.Items.Where(x => x.LastCall != _call && x.Search is { } s && searches.Contains(s)).ToList())
                Remove(e);
        // longest first: a superseded parent whose only children go here goes too
        foreach (var e in _recent.Items.Where(x => x.Superseded).OrderByDescending(x => x.Length).ToList())
        {
            e.Superseded = false;
            if (e.Children.Count == 0) Remove(e);
        }
        _call++;
        while (HeldPositions > BudgetPositions && _recent.Oldest is { } oldest)
        {
            Remove(oldest);
            Evicted++;
        }
    }

    /// <summary>Drops <paramref name="e"/> and every entry that continues it.</summary>
    public void Remove(Entry e)
    {
        if (!_recent.Contains(e)) return;
        foreach (var child in e.Children.ToList()) Remove(child);
        _recent.Remove(e);
        _entries.Remove((e.Length, e.Hash));
        if (--_lengthCounts[e.Length] == 0)
        {
            _lengthCounts.Remove(e.Length);
            _lengths.Remove(e.Length);
        }
        e.Parent?.Children.Remove(e);
        e.Row.Release();
    }

    public void Clear()
    {
        foreach (var e in _recent.Items.ToList()) Remove(e);
    }

    public void Dispose() => Clear();
}
