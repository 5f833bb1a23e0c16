namespace Pipeline.Inference;

/// <summary>KV caches of prefixes a shared-cache PRM ran, kept across scoring calls. A beam search's next
/// round scores each kept beam plus M new steps, and the beam is this round's prefix plus the step it chose,
/// so with this round's prefixes kept the next round prefills one step a beam instead of the problem and
/// every earlier step again. An entry is the prefix's cache in a buffer of its own (its real positions only,
/// copied out of the run: holding the run instead kept all of a chunk's rows alive for one survivor, and a
/// 40 GiB budget filled with 163 prefixes on an H200), the prefix's token ids (matched exactly: a hash finds
/// candidates) and the head's scores at the step markers inside it.
/// After a call the entries at its tree's inner nodes stay (the problem, the branch points where beams share
/// earlier steps, each beam): the next round's branch points are among them. An entry that a call only started
/// a longer node from is dropped (its prefix is no longer a branch point). Dropping every entry a call extended
/// instead made each round re-run the ancestors that kept beams share: on an H200 at beam search N=256 the
/// tokens run per candidate grew from 85 to 255 over 7 rounds. Past the budget the least recently used go first.
/// Workers stay stateless: a miss (another worker scored the previous round, an entry evicted) only costs
/// the prefill the PRM would have done anyway.</summary>
internal sealed class PrmPrefixCache : IDisposable
{
    public sealed class Entry
    {
        internal Entry(int[] ids, ulong hash, KvRow row, Dictionary<int, float[]> scores, long? search) =>
            (Ids, Hash, Row, Scores, Search) = (ids, hash, row, scores, search);

        public int[] Ids { get; }
        public int Length => Ids.Length;
        internal ulong Hash { get; }
        public KvRow Row { get; }
        /// <summary>The head's output row at each step marker inside the prefix, by position.</summary>
        public Dictionary<int, float[]> Scores { get; }
        /// <summary>The search whose candidates ran this prefix (null: unknown, or several).</summary>
        public long? Search { get; }
        /// <summary>The call that last used or made it.</summary>
        internal long LastCall { get; set; }
        /// <summary>Only started from in the current call (a node ran on past its end): dropped at the call's end.</summary>
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
            if (_entries.TryGetValue((length, hashes[length]), out var e) && ids.AsSpan(0, length).SequenceEqual(e.Ids))
                yield return e;
    }

    /// <summary>Makes ids[0..length) an entry served by <paramref name="row"/>, which the cache frees when the entry goes.</summary>
    public Entry Add(int[] ids, int length, ulong[] hashes, KvRow row, Dictionary<int, float[]> scores, long? search = null)
    {
        if (_entries.TryGetValue((length, hashes[length]), out var old)) Remove(old);
        var e = new Entry(ids[..length], hashes[length], row, scores, search) { LastCall = _call };
        _entries[(length, e.Hash)] = e;
        _lengthCounts[length] = _lengthCounts.GetValueOrDefault(length) + 1;
        _lengths.Add(length);
        _recent.Add(e, row.Length);
        return e;
    }

    public void Touch(Entry e)
    {
        if (_recent.Touch(e)) e.LastCall = _call;
    }

    /// <summary>Ends a call: drops the entries it only started from and those of <paramref name="searches"/> (the call's)
    /// that it neither used nor made (a pruned beam: the search's next round continues only this round's prefixes), then
    /// the least recently used beyond the budget.</summary>
    public void EndCall(IReadOnlySet<long>? searches = null)
    {
        foreach (var e in _recent.Items.Where(x => x.Superseded
                     || (x.LastCall != _call && x.Search is { } s && searches is not null && searches.Contains(s))).ToList())
            Remove(e);
        _call++;
        while (HeldPositions > BudgetPositions && _recent.Oldest is { } oldest)
        {
            Remove(oldest);
            Evicted++;
        }
    }

    public void Remove(Entry e)
    {
        if (!_recent.Remove(e)) return;
        _entries.Remove((e.Length, e.Hash));
        if (--_lengthCounts[e.Length] == 0)
        {
            _lengthCounts.Remove(e.Length);
            _lengths.Remove(e.Length);
        }
        e.Row.Release();
    }

    public void Clear()
    {
        foreach (var e in _recent.Items.ToList()) Remove(e);
    }

    public void Dispose() => Clear();
}
