namespace Pipeline.Search.Aggregation;

/// <summary>One result row: at budget n, this aggregator with this step aggregation chose this answer.</summary>
/// <param name="Candidates">Candidates the budget had (those without an answer included).</param>
/// <param name="Tokens">Tokens spent to produce the budget's candidates (for beam search and revisions: the whole search).</param>
/// <param name="Split">Generated and prompt tokens of the tree nodes the budget covers (<see cref="BudgetSlice.Split"/>).</param>
/// <param name="Flops">From <see cref="ComputeCost.Flops"/>.</param>
public sealed record SearchOutcome(
    int Budget,
    AnswerAggregator Aggregator,
    StepAggregation StepAggregation,
    string? Answer,
    bool Correct,
    int Candidates,
    TokenCount Tokens,
    TokenSplit Split,
    double Flops)
{
    public string AggregatorName => Aggregator.Name();
    public string StepAggregationName => StepAggregation.Name();
}
