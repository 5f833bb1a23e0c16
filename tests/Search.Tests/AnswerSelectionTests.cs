using Pipeline.Search.Aggregation;

namespace Pipeline.Search.Tests;

public class AnswerSelectionTests
{
    private static Candidate C(long id, string? answer, params double[] scores) => new(id, answer, scores);

    private static AnswerSelection Select(params Candidate[] cs) => new(cs, KeyGrader.Instance);

    // Hand-computed: with last-step scores, "7" sums 0.3+0.3+0.3 = 0.9 and "8" sums 0.95 -> weighted picks 8,
    // majority picks 7 (3 votes vs 1), naive picks 8 (0.95 is the top single score).
    private static readonly Candidate[] Mixed =
    [
        C(1, "7", 0.9, 0.3),
        C(2, "8", 0.2, 0.95),
        C(3, "7", 0.9, 0.3),
        C(4, null, 0.99, 0.99),
        C(5, " 7 ", 0.9, 0.3),
    ];

    [Fact]
    public void Weighted_sums_scores_per_answer_key()
    {
        var s = Select(Mixed);
        Assert.Equal("8", s.Weighted(StepAggregation.Last));
        // min: "7" = 0.3*3 = 0.9, "8" = 0.2 -> 7 wins; the first candidate's spelling is reported.
        Assert.Equal("7", s.Weighted(StepAggregation.Min));
        // prod: "7" = 0.27*3 = 0.81, "8" = 0.19
        Assert.Equal("7", s.Weighted(StepAggregation.Prod));
    }

    [Fact]
    public void Majority_counts_keys_and_ignores_scores() => Assert.Equal("7", Select(Mixed).Majority());

    [Fact]
    public void Naive_takes_the_top_scoring_candidate_with_an_answer()
    {
        var s = Select(Mixed);
        // candidate 4 has the top score but no answer: it never wins
        Assert.Equal("8", s.Naive(StepAggregation.Last));
        // mean: 7 -> 0.6, 8 -> 0.575
        Assert.Equal("7", s.Naive(StepAggregation.Mean));
    }

    [Fact]
    public void Keys_from_the_grader_merge_spellings()
    {
        var s = Select(C(1, "1/2", 0.4), C(2, "3", 0.5), C(3, "half", 0.4));
        Assert.Equal("1/2", s.Weighted(StepAggregation.Last)); // 0.8 vs 0.5
        Assert.Equal("1/2", s.Majority());
        Assert.Equal("3", s.Naive(StepAggregation.Last));
    }

    [Fact]
    public void Ties_go_to_the_earliest_sample()
    {
        var s = Select(C(1, null, 0.9), C(2, "b", 0.5), C(3, "a", 0.5), C(4, "a", 0.1), C(5, "b", 0.1));
        Assert.Equal("b", s.Majority());                       // 2 votes each, b seen first
        Assert.Equal("b", s.Weighted(StepAggregation.Last));   // 0.6 each
        Assert.Equal("b", s.Naive(StepAggregation.Last));      // 0.5 each
        var reversed = Select(C(1, "a", 0.5), C(2, "b", 0.5));
        Assert.Equal("a", reversed.Naive(StepAggregation.Last));
        Assert.Equal("a", reversed.Majority());
    }

    [Fact]
    public void Pass_is_correct_when_any_candidate_is()
    {
        var s = Select(Mixed);
        Assert.Equal("8", s.Choose(AnswerAggregator.Pass, StepAggregation.None, "8"));
        Assert.True(s.IsCorrect(s.FirstCorrect("8"), "8"));
        Assert.Null(s.FirstCorrect("9"));
        Assert.False(s.IsCorrect(s.FirstCorrect("9"), "9"));
    }

    [Fact]
    public void No_answers_at_all_chooses_nothing()
    {
        var s = Select(C(1, null, 0.9), C(2, null, 0.8));
        Assert.Null(s.Weighted(StepAggregation.Last));
        Assert.Null(s.Majority());
        Assert.Null(s.Naive(StepAggregation.Last));
        Assert.Null(s.Hierarchical(StepAggregation.Last));
        Assert.False(s.IsCorrect(null, "1"));
    }

    [Fact]
    public void Hierarchical_votes_within_chains_then_across_winners()
    {
        // chain 0: x 0.3 + 0.3 = 0.6 beats y 0.5 -> winner x (0.6)
        // chain 1: y 0.9 -> winner y (0.9)
        // chain 2: x 0.2 -> winner x (0.2)
        // across: x 0.8 vs y 0.9 -> y. Flat weighted over all: x 0.8, y 1.4 -> y; majority: x 3, y 2 -> x
        Candidate[] cs =
        [
            new(1, "x", [0.3], 0), new(2, "y", [0.5], 0), new(3, "x", [0.3], 0),
            new(4, "y", [0.9], 1),
            new(5, "x", [0.2], 2),
        ];
        var s = new AnswerSelection(cs, KeyGrader.Instance);
        Assert.Equal("y", s.Hierarchical(StepAggregation.Last));
        Assert.Equal("x", s.Majority());

        // Make chain 2 heavier: x 0.2 -> 0.45, across x 1.05 vs y 0.9 -> x
        cs[4] = new(5, "x", [0.45], 2);
        Assert.Equal("x", new AnswerSelection(cs, KeyGrader.Instance).Hierarchical(StepAggregation.Last));
    }

    [Fact]
    public void Hierarchical_differs_from_flat_weighted()
    {
        // chain 0: a 0.4, b 0.35, b 0.35 -> b (0.7); chain 1: a 0.6 -> a (0.6)
        // hierarchical: b 0.7 > a 0.6 -> b; flat weighted: a 1.0 > b 0.7 -> a
        Candidate[] cs = [new(1, "a", [0.4], 0), new(2, "b", [0.35], 0), new(3, "b", [0.35], 0), new(4, "a", [0.6], 1)];
        var s = new AnswerSelection(cs, KeyGrader.Instance);
        Assert.Equal("b", s.Hierarchical(StepAggregation.Last));
        Assert.Equal("a", s.Weighted(StepAggregation.Last));
    }

    // Hand-computed per step aggregation (last, min, prod, mean):
    // a [0.2, 0.9]             -> 0.9,  0.2, 0.18,  0.55
    // b [0.6, 0.6]             -> 0.6,  0.6, 0.36,  0.6
    // c [0.95, 0.7]            -> 0.7,  0.7, 0.665, 0.825
    // d [0.99, 0.99, 0.99, 0.5] -> 0.5, 0.5, 0.485, 0.8675
    // e [0.8, 0.8, 0.8]        -> 0.8,  0.8, 0.512, 0.8
    private static readonly Candidate[] Distinct =
    [
        C(1, "a", 0.2, 0.9), C(2, "b", 0.6, 0.6), C(3, "c", 0.95, 0.7), C(4, "d", 0.99, 0.99, 0.99, 0.5), C(5, "e", 0.8, 0.8, 0.8),
    ];

    [Theory]
    [InlineData(StepAggregation.Last, "a")]
    [InlineData(StepAggregation.Min, "e")]
    [InlineData(StepAggregation.Prod, "c")]
    [InlineData(StepAggregation.Mean, "d")]
    public void Each_step_aggregation_picks_its_own_winner(StepAggregation steps, string expected)
    {
        var s = Select(Distinct);
        Assert.Equal(expected, s.Naive(steps));
        Assert.Equal(expected, s.Weighted(steps)); // one candidate per answer: weighted = naive
        Assert.Equal(expected, s.Choose(AnswerAggregator.Weighted, steps, "x"));
        // a second "b" doubles b's sums (1.2, 1.2, 0.72, 1.2): weighted now picks b under every step aggregation
        var withSecondB = Select([.. Distinct, C(6, "b", 0.6, 0.6)]);
        Assert.Equal("b", withSecondB.Weighted(steps));
        Assert.Equal(expected, withSecondB.Naive(steps));
    }
}
