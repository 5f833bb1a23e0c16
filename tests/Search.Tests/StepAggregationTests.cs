using Pipeline.Search.Aggregation;

namespace Pipeline.Search.Tests;

public class StepAggregationTests
{
    private static readonly double[] Scores = [0.9, 0.5, 0.8];

    [Theory]
    [InlineData(StepAggregation.Last, 0.8)]
    [InlineData(StepAggregation.Min, 0.5)]
    [InlineData(StepAggregation.Prod, 0.36)]
    [InlineData(StepAggregation.Mean, 2.2 / 3)]
    public void Aggregates_per_step_scores(StepAggregation s, double expected) =>
        Assert.Equal(expected, s.Apply(Scores), 12);

    [Fact]
    public void None_and_empty_have_no_score()
    {
        Assert.Throws<ArgumentException>(() => StepAggregation.None.Apply(Scores));
        Assert.Throws<ArgumentException>(() => StepAggregation.Last.Apply([]));
    }

    [Fact]
    public void Names_are_the_stored_ones()
    {
        Assert.Equal(["last", "min", "prod", "mean"], StepAggregations.Scored.Select(s => s.Name()));
        Assert.Equal("none", StepAggregation.None.Name());
        Assert.Equal(["weighted", "majority", "naive", "pass", "hierarchical"],
            Enum.GetValues<AnswerAggregator>().Select(a => a.Name()));
    }
}
