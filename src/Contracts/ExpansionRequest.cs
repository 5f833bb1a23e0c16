namespace Pipeline.Contracts;

/// <summary>One parent to extend <paramref name="Count"/> times in one round.</summary>
/// <param name="Index">Position of this request in its round; samples are keyed by (Index, sample index).</param>
/// <param name="ParentNodeId">The node extended; null extends the problem itself (the root).</param>
/// <param name="PrefixSteps">Texts of the steps from the root to the parent, without delimiters (empty for Solution and Revision mode).</param>
/// <param name="PreviousAttempts">For <see cref="GenerationMode.Revision"/>: the chain's earlier attempts, oldest first, each as its step texts
/// (the revision model's manifest says how many it is shown and how they are joined).</param>
/// <param name="Seed">Base seed; sample i uses a seed derived from (Seed, i), so a redelivered round regenerates the same text.</param>
public sealed record ExpansionRequest(
    int Index,
    long? ParentNodeId,
    IReadOnlyList<string> PrefixSteps,
    int Count,
    long Seed,
    IReadOnlyList<IReadOnlyList<string>>? PreviousAttempts = null);
