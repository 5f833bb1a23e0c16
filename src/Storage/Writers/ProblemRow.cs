namespace Pipeline.Storage;

/// <summary>One problem as read from a dataset file, before it has a dataset id.</summary>
public sealed record ProblemRow(int Ordinal, string UniqueId, string Problem, string? Solution, string Answer, string? Subject, int? Level);
