namespace Pipeline.Inference;

/// <summary>Prompt caches a shared-cache policy keeps across calls (<see cref="InferenceOptions.PolicyPrefixCacheGiB"/>).
/// A beam search's next round asks for each kept beam's prompt plus the step it chose: with this round's prompts kept,
/// the next round copies a prompt's cache into the row's slot and feeds only the new tokens, one a decode step, instead
/// of prefilling the whole prompt again (<see cref="Generator"/>). The next prompt is re-tokenized text, so a kept
/// prompt may match it only up to its last token or two: a lookup takes the longest common prefix with any kept prompt
/// (positions before it depend on those tokens alone). Prompts are bucketed by their first <see cref="BucketTokens"/>
/// ids (a search's prompts share the problem's), so a lookup compares against one problem's prompts. An entry that a
/// call continued is dropped at the call's end (the continuing prompt is kept instead); past the budget the least
/// recently used go first. A miss costs the prefill the call would have done anyway.</summary>
internal sealed class PromptKvCache(long budgetPositions) : IDisposable
{
    public const int BucketTokens = 32;

    public sealed class Entry(int[] ids, ulong bucket, KvRow row)
    {
        public int[] Ids { get; } = ids;
        internal ulong Bucket { get; } = bucket;
        public KvRow Row { get; } = row;
        internal bool Superseded { get; set; }
    }

    private readonly Dictionary<ulong, List<Entry>> _buckets = [];
    private readonly RecentlyUsed<Entry> _recent = new();

    public long BudgetPositions { get; } = budgetPositions;
    public long HeldPositions => _recent.Size;
    public int Count => _recent.Count;
    public long Evicted { get; private set; }

    private static ulong BucketOf(int[] ids)
    {
        var h = 0UL;
        for (var t = 0; t < BucketTokens; t++) h = unchecked(h * 1_000_003UL + (ulong)ids[t] + 1);
        return h;
    }

    /// <summary>The kept prompt sharing the longest common prefix with <paramref name="ids"/>, and that prefix's length
    /// (at most <paramref name="upTo"/>); null if none shares at least <see cref="BucketTokens"/>.</summary>
    public (Entry Entry, int Common)? Longest(int[] ids, int upTo)
    {
        if (ids.Length < BucketTokens || !_buckets.TryGetValue(BucketOf(ids), out var bucket)) return null;
        (Entry Entry, int Common)? best = null;
        foreach (var e in bucket)
        {
            var common = Math.Min(upTo, ids.AsSpan().CommonPrefixLength(e.Ids));
            if (common >= BucketTokens && (best is null || common > best.Value.Common)) best = (e, common);
        }
        return best;
    }

    /// <summary>Keeps <paramref name="ids"/>' cache (<paramref name="row"/>, freed when the entry goes); replaces a kept
    /// prompt with the same ids.</summary>
    public Entry? Add(int[] ids, KvRow row)
    {
        if (ids.Length < BucketTokens)
        {
            row.Release();
            return null;
        }
        var key = BucketOf(ids);
        if (!_buckets.TryGetValue(key, out var bucket)) _buckets[key] = bucket = [];
        if (bucket.FirstOrDefault(e => e.Ids.AsSpan().SequenceEqual(ids)) is { } same) Remove(same);
        var entry = new Entry(ids, key, row);
        bucket.Add(entry);
        _recent.Add(entry, row.Length);
        return entry;
    }

    public void Touch(Entry e) => _recent.Touch(e);

    /// <summary>Ends a call: drops the entries it continued, then the least recently used beyond the budget.</summary>
    public void EndCall()
    {
        foreach (var e in _recent.Items.Where(x => x.Superseded).ToList()) Remove(e);
        while (HeldPositions > BudgetPositions && _recent.Oldest is { } oldest)
        {
            Remove(oldest);
            Evicted++;
        }
    }

    public void Remove(Entry e)
    {
        if (!_recent.Remove(e)) return;
        var bucket = _buckets[e.Bucket];
        bucket.Remove(e);
        if (bucket.Count == 0) _buckets.Remove(e.Bucket);
        e.Row.Release();
    }

    public void Clear()
    {
        foreach (var e in _recent.Items.ToList()) Remove(e);
    }

    public void Dispose() => Clear();
}
