namespace Pipeline.Storage.Entities;

/// <summary>The answer one search picks at one (nested) budget with one aggregator (table <c>outcomes</c>).</summary>
public sealed class Outcome
{
    public long SearchId { get; set; }
    public int BudgetN { get; set; }
    /// <summary>"weighted", "majority", "naive" or "pass".</summary>
    public required string Aggregator { get; set; }
    /// <summary>"last", "min", "prod", "mean" or "none".</summary>
    public required string StepAggregation { get; set; }
    public string? ChosenAnswer { get; set; }
    public bool IsCorrect { get; set; }
    public long GeneratedTokens { get; set; }
    public long PromptTokens { get; set; }
    public double Flops { get; set; }
}
