using Pipeline.Storage.Searches;
using Pipeline.Producer.RunSpecs;
using Pipeline.Search;
using Pipeline.Storage.Queries;

namespace Pipeline.Tests.Producer;

public sealed class SearchPlannerTests
{
    [Fact]
    public void Every_problem_gets_every_config_with_the_stored_parameters_resolved()
    {
        var run = Guid.NewGuid();
        SelectedProblem[] problems = [new(10, 0, 1), new(11, 1, 2)];
        PlannedStrategy[] strategies =
        [
            new(StrategyConfig.BestOfN(64), 1),
            new(StrategyConfig.Beam(16), 2),                      // sqrt
            new(StrategyConfig.LookaheadSearch(16, 2, 4), 3),
            new(StrategyConfig.Revisions(16, 4), 4),
            new(StrategyConfig.Dvts(16, 4) with { FilterDuplicates = true }, 5),
        ];
        var searches = SearchPlanner.Plan(run, problems, strategies);

        Assert.Equal(10, searches.Count);
        Assert.All(searches, s => Assert.Equal((run, SearchStatus.Pending, -1), (s.RunId, s.Status, s.CurrentRound)));
        Assert.Equal([10L, 10, 10, 10, 10, 11, 11, 11, 11, 11], searches.Select(s => s.ProblemId));
        var beam = searches[1];
        Assert.Equal((StrategyKind.Beam, "beam(M=sqrt)", 16, 4, true), (beam.Strategy, beam.StrategyLabel, beam.Budget, beam.BeamWidth, beam.BeamWidthIsSqrt));
        var lookahead = searches[2];
        Assert.Equal((StrategyKind.Lookahead, 4, false, 2, (int?)null), (lookahead.Strategy, lookahead.BeamWidth, lookahead.BeamWidthIsSqrt, lookahead.Lookahead, lookahead.ChainLength));
        var revisions = searches[3];
        Assert.Equal((StrategyKind.Revisions, (int?)null, 4), (revisions.Strategy, revisions.BeamWidth, revisions.ChainLength));
        Assert.Null(searches[0].BeamWidth);
        Assert.Equal(("dvts(M=4,dedup)", true), (searches[4].StrategyLabel, searches[4].FilterDuplicates));
        Assert.All(searches.Take(4), s => Assert.False(s.FilterDuplicates));
    }
}
