namespace Pipeline.Inference;

/// <summary>How a revision model is shown earlier attempts (docs/model-format.md, "Revision model").</summary>
public sealed record RevisionFormat(int MaxAttempts, string AttemptTemplate, string AttemptStepJoiner, string RevisionPrefix);
