using Pipeline.Contracts;
using Pipeline.Search;

namespace Pipeline.Aggregator;

/// <summary>Turns a strategy's plan into the one ExpandRound message of a round. Pure.</summary>
public static class RoundMessages
{
    public static ExpandRound Build(SearchSpec spec, IReadOnlyList<TreeNode> tree, RoundPlan plan, int round)
    {
        if (plan.Done || plan.Expansions.Count == 0)
            throw new ArgumentException($"search {spec.SearchId}: round {round} has nothing to expand", nameof(plan));
        var modes = plan.Expansions.Select(e => e.Mode).Distinct().ToList();
        if (modes.Count != 1)
            throw new SearchFailedException($"search {spec.SearchId} round {round}: the strategy mixed generation modes {string.Join(", ", modes)} in one round");
        var mode = modes[0];
        var model = mode == GenerationMode.Revision
            ? spec.RevisionModel ?? throw new SearchFailedException(
                $"search {spec.SearchId} ({spec.Strategy.Label}): revision rounds need a revision model, but run {spec.RunId} has none")
            : spec.PolicyModel;

        var requests = plan.Expansions.Select((e, i) => new ExpansionRequest(
            i,
            e.ParentNodeId,
            mode != GenerationMode.Revision && e.ParentNodeId is { } parent ? TreePaths.PrefixSteps(tree, parent) : [],
            e.Count,
            Seeds.ForRequest(spec.Seed, spec.ProblemId, round, i),
            mode == GenerationMode.Revision && e.ParentNodeId is { } last ? TreePaths.PreviousAttempts(tree, last) : null)).ToList();

        return new ExpandRound(spec.RunId, spec.SearchId, round, model, spec.PrmModel, spec.Problem, mode,
            spec.Sampling, plan.LookaheadSteps, requests, spec.SystemPrompt);
    }
}
