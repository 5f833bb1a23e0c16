using Pipeline.Search;
using Pipeline.Search.Aggregation;

namespace Pipeline.Aggregator;

/// <summary>One row of <c>pipeline.outcomes</c>.</summary>
public sealed record OutcomeRow(
    int BudgetN, string Aggregator, string StepAggregation, string? ChosenAnswer, bool IsCorrect,
    long GeneratedTokens, long PromptTokens, double Flops);

/// <summary>Outcome rows of a finished search. Pure. The Search library chooses answers and counts FLOPs;
/// the generated/prompt token split of a nested budget n is read off the tree here: the nodes whose round-0
/// origin is among the first n samples (best-of-N) or the first n/M subtrees (DVTS); the full budget costs the
/// whole tree.</summary>
public static class OutcomeRows
{
    public static IReadOnlyList<OutcomeRow> Build(
        ISearchStrategy strategy, IReadOnlyList<TreeNode> tree, IReadOnlyList<long> finalCandidates,
        SearchSpec spec, Pipeline.Grading.IAnswerGrader grader)
    {
        var outcomes = OutcomeEvaluator.Evaluate(strategy, tree, finalCandidates, spec.GoldAnswer, grader, spec.Sizes);
        var index = new TreeIndex(tree);
        var cache = new Dictionary<int, (long Generated, long Prompt)>();
        return outcomes.Select(o =>
        {
            if (!cache.TryGetValue(o.Budget, out var t)) cache[o.Budget] = t = Tokens(strategy.Config, index, o.Budget);
            return new OutcomeRow(o.Budget, o.AggregatorName, o.StepAggregationName, o.Answer, o.Correct, t.Generated, t.Prompt, o.Flops);
        }).ToList();
    }

    public static (long Generated, long Prompt) Tokens(StrategyConfig config, TreeIndex index, int budget)
    {
        IEnumerable<TreeNode> nodes = index.Nodes;
        if (budget < config.Budget)
        {
            nodes = config.Kind switch
            {
                StrategyKind.BestOfN => nodes.Where(n => index.Origin(n.NodeId).SampleIndex < budget),
                StrategyKind.Dvts => nodes.Where(n => index.Origin(n.NodeId).RequestIndex < budget / config.EffectiveBeamWidth),
                _ => throw new ArgumentException($"{config.Label}: budget {budget} below N={config.Budget} is only defined for best_of_n and dvts"),
            };
        }
        long generated = 0, prompt = 0;
        foreach (var n in nodes)
        {
            generated += n.GeneratedTokens + n.LookaheadTokens;
            prompt += n.PromptTokens;
        }
        return (generated, prompt);
    }
}
