namespace Pipeline.Contracts;

/// <summary>Published by the Producer once per search (problem x strategy config x budget) of a run.
/// The Aggregator loads everything else from PostgreSQL, so the message stays tiny.</summary>
public sealed record SearchRequested(Guid RunId, long SearchId);
