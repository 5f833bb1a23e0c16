using Pipeline.Search;
using Pipeline.Storage.Entities;
using Pipeline.Storage.Queries;
using Pipeline.Storage.Searches;

namespace Pipeline.Producer.RunSpecs;

/// <summary>Expands a run into its searches: every selected problem x every strategy config x every budget. Pure.</summary>
public static class SearchPlanner
{
    public static IReadOnlyList<SearchRecord> Plan(Guid runId, IReadOnlyList<SelectedProblem> problems, IReadOnlyList<PlannedStrategy> strategies)
    {
        var searches = new List<SearchRecord>(problems.Count * strategies.Count);
        // Problem-major order: search ids then follow the dataset, so a partly finished run has whole problems done.
        foreach (var p in problems)
            foreach (var s in strategies)
                searches.Add(ToRecord(runId, p.ProblemId, s.Config));
        return searches;
    }

    public static SearchRecord ToRecord(Guid runId, long problemId, StrategyConfig c) => new()
    {
        RunId = runId,
        ProblemId = problemId,
        Strategy = c.Kind,
        StrategyLabel = c.Label,
        Budget = c.Budget,
        BeamWidth = c.UsesBeamWidth ? c.EffectiveBeamWidth : null,
        BeamWidthIsSqrt = c.BeamWidthIsSqrt,
        Lookahead = c.Lookahead,
        ChainLength = c.Kind == StrategyKind.Revisions ? c.ChainLength : null,
        FilterDuplicates = c.FilterDuplicates,
        MaxRounds = c.MaxRounds,
        Status = SearchStatus.Pending,
        CurrentRound = -1,
    };
}
