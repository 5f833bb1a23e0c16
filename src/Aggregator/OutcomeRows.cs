using Pipeline.Search;
using Pipeline.Search.Aggregation;
using Pipeline.Storage.Searches;

namespace Pipeline.Aggregator;

/// <summary>Outcome rows of a finished search. Pure. The Search library chooses answers, counts FLOPs and, through
/// the strategy's budgets, says which tree nodes each (nested) budget covers and what they cost.</summary>
public static class OutcomeRows
{
    public static IReadOnlyList<OutcomeRow> Build(
        ISearchStrategy strategy, IReadOnlyList<TreeNode> tree, IReadOnlyList<long> finalCandidates,
        SearchState search, Pipeline.Grading.IAnswerGrader grader) =>
        OutcomeEvaluator.Evaluate(strategy, tree, finalCandidates, search.GoldAnswer, grader, search.Sizes)
            .Select(o => new OutcomeRow(o.Budget, o.Aggregator, o.StepAggregation, o.Answer, o.Correct,
                o.Split.Generated, o.Split.Prompt, o.Flops))
            .ToList();
}
