namespace Pipeline.Aggregator;

/// <summary>A search that can never go on (its config or its run cannot produce the next round): it is
/// marked 'failed' with this message logged, and the rest of the run continues.</summary>
public sealed class SearchFailedException(string message) : Exception(message);
