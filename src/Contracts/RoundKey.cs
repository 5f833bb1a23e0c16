namespace Pipeline.Contracts;

/// <summary>One round of one search: what <see cref="RoundAccepted"/> names.</summary>
public sealed record RoundKey(long SearchId, int Round);
