using Pipeline.Contracts;
using Pipeline.Search;
using Pipeline.Storage.Searches;

namespace Pipeline.Aggregator;

/// <summary>Turns a strategy's plan into the one ExpandRound message of a round. Pure.</summary>
public static class RoundMessages
{
    public static ExpandRound Build(SearchState search, IReadOnlyList<TreeNode> tree, RoundPlan plan, int round)
    {
        if (plan.Done || plan.Expansions.Count == 0)
            throw new ArgumentException($"search {search.SearchId}: round {round} has nothing to expand", nameof(plan));
        var modes = plan.Expansions.Select(e => e.Mode).Distinct().ToList();
        if (modes.Count != 1)
            throw new SearchFailedException($"search {search.SearchId} round {round}: the strategy mixed generation modes {string.Join(", ", modes)} in one round");
        var mode = modes[0];
        var model = mode == GenerationMode.Revision
            ? search.RevisionModel ?? throw new SearchFailedException(
                $"search {search.SearchId} ({search.Strategy.Label}): revision rounds need a revision model, but run {search.RunId} has none")
            : search.PolicyModel;

        var requests = plan.Expansions.Select((e, i) => new ExpansionRequest(
            i,
            e.ParentNodeId,
            mode != GenerationMode.Revision && e.ParentNodeId is { } parent ? TreePaths.PrefixSteps(tree, parent) : [],
            e.Count,
            Seeds.ForRequest(search.Seed, search.ProblemId, round, i),
            mode == GenerationMode.Revision && e.ParentNodeId is { } last ? TreePaths.PreviousAttempts(tree, last) : null)).ToList();

        return new ExpandRound(search.RunId, search.SearchId, round, model, search.PrmModel, search.Problem, mode,
            search.Sampling, plan.LookaheadSteps, requests, search.SystemPrompt);
    }
}
