using Pipeline.Search.Analysis;

namespace Pipeline.Search.Tests;

/// <summary>The analysis math on small hand-computed tables.</summary>
public class ComputeMathTests
{
    // accuracy 0.2, 0.4, 0.5, 0.7 at budgets 1, 2, 4, 8
    private static readonly CurvePoint[] Curve = [new(1, 0.2), new(2, 0.4), new(4, 0.5), new(8, 0.7)];

    [Theory]
    [InlineData(0.6, 5.656854249492381, BudgetMatch.Interpolated)]  // halfway 0.5 -> 0.7 between 4 and 8: 4 * sqrt(2)
    [InlineData(0.3, 1.4142135623730951, BudgetMatch.Interpolated)] // halfway between 1 and 2: sqrt(2)
    [InlineData(0.4, 2.0, BudgetMatch.Interpolated)]                // exactly the point at 2
    [InlineData(0.7, 8.0, BudgetMatch.Interpolated)]                // exactly the last point
    [InlineData(0.2, 1.0, BudgetMatch.AtSmallest)]                  // the first point reaches it: no extrapolation below
    [InlineData(0.1, 1.0, BudgetMatch.AtSmallest)]
    public void Budget_to_reach_interpolates_on_the_log_budget_axis(double target, double budget, BudgetMatch match)
    {
        var got = ComputeMath.BudgetToReach(Curve, target);
        Assert.Equal(match, got.Match);
        Assert.Equal(budget, got.Budget!.Value, 12);
    }

    [Fact]
    public void Budget_to_reach_is_null_when_the_curve_never_gets_there_and_takes_the_first_crossing()
    {
        Assert.Equal(new BudgetToReach(null, BudgetMatch.NotReached), ComputeMath.BudgetToReach(Curve, 0.71));
        Assert.Equal("not_reached", ComputeMath.BudgetToReach([], 0.5).MatchName);
        // not monotone: 0.3, 0.6, 0.5, 0.9; 0.55 is first crossed between 1 and 2 at t = 0.25 / 0.3 -> 2^(5/6)
        CurvePoint[] bumpy = [new(1, 0.3), new(2, 0.6), new(4, 0.5), new(8, 0.9)];
        Assert.Equal(Math.Pow(2, 5.0 / 6), ComputeMath.BudgetToReach(bumpy, 0.55).Budget!.Value, 12);
        // token budgets are not powers of two: halfway between 100 and 400 tokens on a log axis is 200
        Assert.Equal(200, ComputeMath.BudgetToReach([new(100, 0.2), new(400, 0.6)], 0.4).Budget!.Value, 9);
    }

    [Theory]
    [InlineData(2.8284271247461903, 0.45)] // 2^1.5: halfway between 2 (0.4) and 4 (0.5) on the log axis
    [InlineData(4.0, 0.5)]
    [InlineData(1.0, 0.2)]
    [InlineData(8.0, 0.7)]
    [InlineData(6.0, 0.61699250014423)]     // 0.5 + 0.2 * log2(6/4)
    public void Accuracy_at_budget_interpolates_on_the_log_budget_axis(double budget, double accuracy) =>
        Assert.Equal(accuracy, ComputeMath.AccuracyAtBudget(Curve, budget)!.Value, 12);

    [Fact]
    public void Accuracy_at_budget_does_not_extrapolate()
    {
        Assert.Null(ComputeMath.AccuracyAtBudget(Curve, 0.5));
        Assert.Null(ComputeMath.AccuracyAtBudget(Curve, 8.001));
        Assert.Null(ComputeMath.AccuracyAtBudget([], 1));
    }

    [Fact]
    public void Curves_must_have_positive_ascending_budgets()
    {
        var e = Assert.Throws<ArgumentException>(() => ComputeMath.BudgetToReach([new(2, 0.1), new(2, 0.2)], 0.1));
        Assert.Contains("curve point 1: budget 2 must be above the previous 2", e.Message);
        Assert.Throws<ArgumentException>(() => ComputeMath.AccuracyAtBudget([new(0, 0.1)], 1));
    }

    [Theory]
    // the paper's setting: a 14x larger model, same pretraining tokens: 14 + 3 * 13 / R
    [InlineData(14, 1, 0.16, 257.75)]
    [InlineData(14, 1, 0.79, 63.36708860759494)]
    [InlineData(14, 1, 22, 15.772727272727273)]
    [InlineData(1, 1, 0.16, 1)]             // same model: same compute
    [InlineData(2, 2, 1, 11)]               // 2x params on 2x tokens: 2 + 3 (4 - 1) / 1
    [InlineData(4, 0.25, 0.5, 4)]           // large model pretrained on a quarter of the tokens: equal pretraining FLOPs
    public void Flops_matched_multiplier_is_the_papers_formula(double m, double p, double r, double expected) =>
        Assert.Equal(expected, ComputeMath.FlopsMatchedMultiplier(m, p, r), 10);

    [Fact]
    public void Flops_matched_multiplier_refuses_non_positive_inputs()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputeMath.FlopsMatchedMultiplier(0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputeMath.FlopsMatchedMultiplier(2, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputeMath.FlopsMatchedMultiplier(2, double.NaN, 1));
    }

    [Fact]
    public void Ratio_selection_takes_the_most_accurate_then_the_shorter_chain_then_names_never_pass()
    {
        RatioPoint[] points =
        [
            new(1, "weighted", "last", 0.5),
            new(4, "weighted", "last", 0.75),
            new(16, "majority", "none", 0.75),
            new(4, "majority", "none", 0.75),   // same accuracy and chain as the weighted one: 'majority' < 'weighted'
            new(64, "pass", "none", 1.0),
        ];
        Assert.Equal(new RatioPoint(4, "majority", "none", 0.75), ComputeMath.SelectRatio(points));
        Assert.Null(ComputeMath.SelectRatio([new(2, "pass", "none", 1)]));
        Assert.Equal(0.25, ComputeMath.SequentialToParallel(16, 2)); // L = 2, 8 chains
        Assert.Equal(16.0, ComputeMath.SequentialToParallel(16, 16)); // one chain of 16
    }
}
