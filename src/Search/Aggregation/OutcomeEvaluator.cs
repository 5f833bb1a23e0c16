using Pipeline.Grading;

namespace Pipeline.Search.Aggregation;

/// <summary>
/// Turns a finished search into result rows: for each budget the strategy reports, pass and majority once
/// (step aggregation "none": they never read scores), then weighted and naive (and, for revisions,
/// hierarchical) under each of last, min, prod, mean.
/// </summary>
public static class OutcomeEvaluator
{
    public static IReadOnlyList<SearchOutcome> Evaluate(
        ISearchStrategy strategy,
        IReadOnlyList<TreeNode> tree,
        IReadOnlyList<long> finalCandidates,
        string gold,
        IAnswerGrader grader,
        ModelSizes sizes)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(gold);
        var withHierarchy = strategy.Config.Kind == StrategyKind.Revisions;
        return strategy.Budgets(tree, finalCandidates)
            .SelectMany(slice => Evaluate(slice, gold, grader, sizes, withHierarchy))
            .ToList();
    }

    public static IReadOnlyList<SearchOutcome> Evaluate(BudgetSlice slice, string gold, IAnswerGrader grader, ModelSizes sizes, bool withHierarchy)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var selection = new AnswerSelection(slice.Candidates, grader);
        var flops = ComputeCost.Flops(slice.Tokens, sizes);
        var rows = new List<SearchOutcome>();
        void Add(AnswerAggregator a, StepAggregation s)
        {
            var answer = selection.Choose(a, s, gold);
            rows.Add(new SearchOutcome(slice.Budget, a, s, answer, selection.IsCorrect(answer, gold), slice.Candidates.Count, slice.Tokens, slice.Split, flops));
        }

        Add(AnswerAggregator.Pass, StepAggregation.None);
        Add(AnswerAggregator.Majority, StepAggregation.None);
        AnswerAggregator[] scored = withHierarchy
            ? [AnswerAggregator.Weighted, AnswerAggregator.Naive, AnswerAggregator.Hierarchical]
            : [AnswerAggregator.Weighted, AnswerAggregator.Naive];
        foreach (var a in scored)
            foreach (var s in StepAggregations.Scored)
                Add(a, s);
        return rows;
    }
}
