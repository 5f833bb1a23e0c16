namespace Pipeline.Inference;

/// <summary>KV caches of prefixes a shared-cache PRM ran, kept across scoring calls. A beam search's next
/// round scores each kept beam plus M new steps, and the beam is this round's prefix plus the step it chose,
/// so with this round's prefixes kept the next round prefills one step a beam instead of the problem and
/// every earlier step again. An entry is the row of a run that produced the prefix's presents (held, not
/// copied), the prefix's token ids (matched exactly: a hash finds candidates) and the head's scores at the
/// step markers inside it. Entries a call extended are dropped after that call (the longer entry serves
/// every later round), and the least recently used go first when the held positions pass the budget.
/// Workers stay stateless: a miss (another worker scored the previous round, an entry evicted) only costs
/// the prefill the PRM would have done anyway.</summary>
internal sealed class PrmPrefixCache : IDisposable
{
    public sealed class Entry
    {
        internal Entry(int[] ids, ulong hash, PrmRow row, Dictionary<int, float[]> scores) =>
            (Ids, Hash, Row, Scores) = (ids, hash, row, scores);

        public int[] Ids { get; }
        public int Length => Ids.Length;
        internal ulong Hash { get; }
        public PrmRow Row { get; }
        /// <summary>The head's output row at each step marker inside the prefix, by position.</summary>
        public Dictionary<int, float[]> Scores { get; }
        internal LinkedListNode<Entry>? Node { get; set; }
        /// <summary>Extended by a longer entry in the current call: dropped at its end.</summary>
        internal bool Superseded { get; set; }
    }

    private readonly Dictionary<(int Length, ulong Hash), Entry> _entries = [];
    private readonly SortedSet<int> _lengths = [];
    private readonly Dictionary<int, int> _lengthCounts = [];
    private readonly LinkedList<Entry> _recent = new();   // most recently used first

    public PrmPrefixCache(long budgetPositions) => BudgetPositions = budgetPositions;

    /// <summary>Most cache positions (summed over the entries) kept between calls.</summary>
    public long BudgetPositions { get; }
    public long HeldPositions { get; private set; }
    public int Count => _entries.Count;
    public long Evicted { get; private set; }

    /// <summary>Polynomial hashes of every prefix of <paramref name="ids"/>: element t is the hash of ids[0..t).</summary>
    public static ulong[] PrefixHashes(int[] ids)
    {
        var h = new ulong[ids.Length + 1];
        for (var t = 0; t < ids.Length; t++) h[t + 1] = unchecked(h[t] * 1_000_003UL + (ulong)ids[t] + 1);
        return h;
    }

    /// <summary>The longest entry that is a prefix of ids[0..upTo) longer than <paramref name="after"/> tokens and that
    /// <paramref name="accept"/> takes (it must hold the scores the caller needs), or null.</summary>
    public Entry? Longest(int[] ids, ulong[] hashes, int after, int upTo, Func<Entry, bool> accept)
    {
        if (_entries.Count == 0 || upTo <= after) return null;
        foreach (var length in _lengths.GetViewBetween(after + 1, upTo).Reverse())
            if (_entries.TryGetValue((length, hashes[length]), out var e)
                && ids.AsSpan(0, length).SequenceEqual(e.Ids) && accept(e))
                return e;
        return null;
    }

    /// <summary>Makes ids[0..length) an entry served by <paramref name="row"/>, which the cache frees when the entry goes.</summary>
    public Entry Add(int[] ids, int length, ulong[] hashes, PrmRow row, Dictionary<int, float[]> scores)
    {
        if (_entries.TryGetValue((length, hashes[length]), out var old)) Remove(old);
        var e = new Entry(ids[..length], hashes[length], row, scores);
        _entries[(length, e.Hash)] = e;
        _lengthCounts[length] = _lengthCounts.GetValueOrDefault(length) + 1;
        _lengths.Add(length);
        e.Node = _recent.AddFirst(e);
        row.Entry = e;
        HeldPositions += row.Length;
        return e;
    }

    public void Touch(Entry e)
    {
        if (e.Node is null) return;
        _recent.Remove(e.Node);
        _recent.AddFirst(e.Node);
    }

    /// <summary>Ends a call: drops the entries it extended, then the least recently used beyond the budget.</summary>
    public void EndCall()
    {
        foreach (var e in _recent.Where(x => x.Superseded).ToList()) Remove(e);
        while (HeldPositions > BudgetPositions && _recent.Last is { } last)
        {
            Remove(last.Value);
            Evicted++;
        }
    }

    public void Remove(Entry e)
    {
        if (e.Node is null) return;
        _recent.Remove(e.Node);
        e.Node = null;
        _entries.Remove((e.Length, e.Hash));
        if (--_lengthCounts[e.Length] == 0)
        {
            _lengthCounts.Remove(e.Length);
            _lengths.Remove(e.Length);
        }
        e.Row.Entry = null;
        HeldPositions -= e.Row.Length;
        e.Row.Release();
    }

    public void Clear()
    {
        foreach (var e in _recent.ToList()) Remove(e);
    }

    public void Dispose() => Clear();
}
