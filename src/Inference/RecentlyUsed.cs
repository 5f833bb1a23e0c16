namespace Pipeline.Inference;

/// <summary>Items in most-recently-used order with their sizes summed: the bookkeeping of the caches kept across calls
/// (<see cref="PrmPrefixCache"/>, <see cref="PromptKvCache"/>), which drop the least recently used first past a budget.</summary>
internal sealed class RecentlyUsed<T> where T : class
{
    private readonly LinkedList<T> _order = new();
    private readonly Dictionary<T, (LinkedListNode<T> Node, long Size)> _items = new(ReferenceEqualityComparer.Instance);

    /// <summary>The items' sizes summed.</summary>
    public long Size { get; private set; }
    public int Count => _items.Count;
    /// <summary>Most recently used first.</summary>
    public IEnumerable<T> Items => _order;
    public T? Oldest => _order.Last?.Value;

    public bool Contains(T item) => _items.ContainsKey(item);

    public void Add(T item, long size)
    {
        if (_items.ContainsKey(item)) throw new InvalidOperationException("item already held");
        _items[item] = (_order.AddFirst(item), size);
        Size += size;
    }

    /// <summary>Makes <paramref name="item"/> the most recently used; false if it is not held.</summary>
    public bool Touch(T item)
    {
        if (!_items.TryGetValue(item, out var held)) return false;
        _order.Remove(held.Node);
        _order.AddFirst(held.Node);
        return true;
    }

    /// <summary>False if it was not held.</summary>
    public bool Remove(T item)
    {
        if (!_items.Remove(item, out var held)) return false;
        _order.Remove(held.Node);
        Size -= held.Size;
        return true;
    }
}
