using Pipeline.Search.Aggregation;

namespace Pipeline.Storage.Entities;

/// <summary>The answer one search picks at one (nested) budget with one aggregator (table <c>outcomes</c>).</summary>
public sealed class Outcome
{
    public long SearchId { get; set; }
    public int BudgetN { get; set; }
    public AnswerAggregator Aggregator { get; set; }
    public StepAggregation StepAggregation { get; set; }
    public string? ChosenAnswer { get; set; }
    public bool IsCorrect { get; set; }
    public long GeneratedTokens { get; set; }
    public long PromptTokens { get; set; }
    public double Flops { get; set; }
}
