using Pipeline.Storage.Searches;

namespace Pipeline.Storage.Entities;

/// <summary>One submitted experiment: dataset x models x strategy configs x budgets x seed (table <c>runs</c>).</summary>
public sealed class Run
{
    public Guid RunId { get; set; }
    public required string Name { get; set; }
    public int DatasetId { get; set; }
    /// <summary>The spec as submitted, as JSON; provenance only (every queried value is also a column).</summary>
    public required string SpecJson { get; set; }
    public required string PolicyModel { get; set; }
    public required string PrmModel { get; set; }
    public string? RevisionModel { get; set; }
    public required string PolicyModelPath { get; set; }
    public required string PrmModelPath { get; set; }
    public string? RevisionModelPath { get; set; }
    public long PolicyParameters { get; set; }
    public long PrmParameters { get; set; }
    /// <summary>Set exactly when <see cref="RevisionModel"/> is.</summary>
    public long? RevisionParameters { get; set; }
    /// <summary>The policy's pretraining tokens from its manifest (FLOPs-matched comparison); null when unknown.</summary>
    public long? PolicyPretrainingTokens { get; set; }
    /// <summary>The run whose best-of-N samples give this run's difficulty bins (spec <c>difficulty_from</c>); null = its own.</summary>
    public Guid? DifficultyRunId { get; set; }
    public float Temperature { get; set; }
    public float TopP { get; set; }
    public int MaxNewTokens { get; set; }
    public int MaxSteps { get; set; }
    public long Seed { get; set; }
    public RunStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
