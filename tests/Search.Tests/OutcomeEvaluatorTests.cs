using Pipeline.Search.Aggregation;

namespace Pipeline.Search.Tests;

public class OutcomeEvaluatorTests
{
    private static readonly ModelSizes Sizes = new(PolicyParameters: 1000, VerifierParameters: 300, RevisionParameters: 2000);

    [Fact]
    public void Best_of_N_rows_cover_every_budget_aggregator_and_step_aggregation()
    {
        var tree = new TreeBuilder();
        // sample 0: "5" correct, low score; samples 1-3: "6" wrong, high last score, low min
        tree.Sample(null, 0, 0, 0, [0.6, 0.6], "5", prompt: 4);
        tree.Sample(null, 0, 0, 1, [0.1, 0.9], "6", prompt: 4);
        tree.Sample(null, 0, 0, 2, [0.1, 0.9], "6", prompt: 4);
        tree.Sample(null, 0, 0, 3, [0.2], null, prompt: 4);
        var strategy = StrategyFactory.Create(StrategyConfig.BestOfN(4));
        var finals = strategy.Plan(tree.Nodes, 1).FinalCandidates;
        var rows = OutcomeEvaluator.Evaluate(strategy, tree.Nodes, finals, "5", KeyGrader.Instance, Sizes);

        Assert.Equal(3 * 10, rows.Count); // budgets 1, 2, 4 x (pass, majority, weighted x4, naive x4)
        Assert.Equal(rows.Count, rows.Select(r => (r.Budget, r.AggregatorName, r.StepAggregationName)).Distinct().Count());
        Assert.All(rows.Where(r => r.Aggregator is AnswerAggregator.Pass or AnswerAggregator.Majority),
            r => Assert.Equal(StepAggregation.None, r.StepAggregation));

        SearchOutcome Row(int n, AnswerAggregator a, StepAggregation s) =>
            rows.Single(r => r.Budget == n && r.Aggregator == a && r.StepAggregation == s);

        // n = 1: only sample 0, every aggregator picks "5"
        Assert.All(rows.Where(r => r.Budget == 1), r => { Assert.Equal("5", r.Answer); Assert.True(r.Correct); });
        // n = 2: last: 5 -> 0.6, 6 -> 0.9: weighted and naive pick 6; min: 0.6 vs 0.1 -> 5; majority tie -> first (5)
        Assert.Equal("6", Row(2, AnswerAggregator.Weighted, StepAggregation.Last).Answer);
        Assert.False(Row(2, AnswerAggregator.Weighted, StepAggregation.Last).Correct);
        Assert.Equal("5", Row(2, AnswerAggregator.Weighted, StepAggregation.Min).Answer);
        Assert.Equal("5", Row(2, AnswerAggregator.Majority, StepAggregation.None).Answer);
        // n = 4: majority 6 (2 votes; the unanswered sample never wins); pass still correct
        Assert.Equal("6", Row(4, AnswerAggregator.Majority, StepAggregation.None).Answer);
        Assert.True(Row(4, AnswerAggregator.Pass, StepAggregation.None).Correct);
        Assert.Equal(4, Row(4, AnswerAggregator.Pass, StepAggregation.None).Candidates);

        // tokens: sample = 4 prompt + 10 per step; n = 4 -> (24 + 24 + 24 + 14) = 86 for policy and PRM alike
        var four = Row(4, AnswerAggregator.Naive, StepAggregation.Mean);
        Assert.Equal(new TokenCount(86, 0, 86), four.Tokens);
        Assert.Equal(2.0 * 1000 * 86 + 2.0 * 300 * 86, four.Flops);
        Assert.Equal(new TokenCount(24, 0, 24), Row(1, AnswerAggregator.Pass, StepAggregation.None).Tokens);
    }

    [Fact]
    public void Flops_formula_counts_every_model()
    {
        Assert.Equal(2.0 * (10 * 3 + 20 * 5 + 30 * 7), ComputeCost.Flops(new TokenCount(3, 5, 7), new ModelSizes(10, 30, 20)));
        Assert.Throws<ArgumentException>(() => ComputeCost.Flops(new TokenCount(3, 5, 7), new ModelSizes(10, 30)));
    }
}
