using Pipeline.Contracts;

namespace Pipeline.Storage.Entities;

/// <summary>One generated step = one node of a search tree (table <c>steps</c>). Written by binary COPY
/// (<see cref="Pipeline.Storage.StepRowWriter"/>), never by EF; the Aggregator builds these rows and the entity
/// gives EF the schema.</summary>
public sealed class Step
{
    public long SearchId { get; set; }
    public long NodeId { get; set; }
    public long? ParentNodeId { get; set; }
    public int Depth { get; set; }
    public int Round { get; set; }
    public int RequestIndex { get; set; }
    public int SampleIndex { get; set; }
    public int StepIndex { get; set; }
    public required string Text { get; set; }
    public int PromptTokens { get; set; }
    public int GeneratedTokens { get; set; }
    public int LookaheadTokens { get; set; }
    public float PrmScore { get; set; }
    public float? LookaheadScore { get; set; }
    public bool Terminal { get; set; }
    public FinishReason? FinishReason { get; set; }
    public string? ExtractedAnswer { get; set; }
    public bool? IsCorrect { get; set; }
}
