namespace Pipeline.Storage;

/// <summary>One row of <c>pipeline.steps</c> as <see cref="StepRowWriter"/> writes it (columns in table order).</summary>
public sealed record StepRow(
    long SearchId,
    long NodeId,
    long? ParentNodeId,
    int Depth,
    int Round,
    int RequestIndex,
    int SampleIndex,
    int StepIndex,
    string Text,
    int PromptTokens,
    int GeneratedTokens,
    int LookaheadTokens,
    float PrmScore,
    float? LookaheadScore,
    bool Terminal,
    string? FinishReason,
    string? ExtractedAnswer,
    bool? IsCorrect);
