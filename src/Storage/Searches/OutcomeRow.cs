using Pipeline.Search.Aggregation;

namespace Pipeline.Storage.Searches;

/// <summary>One row of <c>pipeline.outcomes</c>.</summary>
public sealed record OutcomeRow(
    int BudgetN, AnswerAggregator Aggregator, StepAggregation StepAggregation, string? ChosenAnswer, bool IsCorrect,
    long GeneratedTokens, long PromptTokens, double Flops);
