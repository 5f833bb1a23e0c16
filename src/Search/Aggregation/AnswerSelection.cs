using Pipeline.Grading;

namespace Pipeline.Search.Aggregation;

/// <summary>
/// Picks one answer from candidates given in sample order. Candidates without an answer never win but
/// still count in the budget. Every tie goes to the answer that appeared first in sample order, so the
/// result never depends on hash order.
/// </summary>
public sealed class AnswerSelection
{
    private readonly IReadOnlyList<Candidate> _candidates;
    private readonly string?[] _keys;

    public AnswerSelection(IReadOnlyList<Candidate> candidates, IAnswerGrader grader)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(grader);
        _candidates = candidates;
        Grader = grader;
        _keys = candidates.Select(c => c.Answer is null ? null : grader.AnswerKey(c.Answer)).ToArray();
    }

    public IAnswerGrader Grader { get; }

    public string? Choose(AnswerAggregator aggregator, StepAggregation steps, string gold) => aggregator switch
    {
        AnswerAggregator.Weighted => Weighted(steps),
        AnswerAggregator.Majority => Majority(),
        AnswerAggregator.Naive => Naive(steps),
        AnswerAggregator.Pass => FirstCorrect(gold),
        AnswerAggregator.Hierarchical => Hierarchical(steps),
        _ => throw new ArgumentOutOfRangeException(nameof(aggregator), aggregator, "unknown answer aggregator"),
    };

    public bool IsCorrect(string? chosen, string gold) => chosen is not null && Grader.IsEquivalent(gold, chosen);

    public string? Weighted(StepAggregation steps) =>
        Vote(Enumerable.Range(0, _candidates.Count), i => steps.Apply(_candidates[i].StepScores)).Answer;

    public string? Majority() => Vote(Enumerable.Range(0, _candidates.Count), _ => 1.0).Answer;

    public string? Naive(StepAggregation steps)
    {
        int best = -1;
        double bestScore = double.NegativeInfinity;
        for (var i = 0; i < _candidates.Count; i++)
        {
            if (_keys[i] is null) continue;
            var score = steps.Apply(_candidates[i].StepScores);
            if (best < 0 || score > bestScore) (best, bestScore) = (i, score);
        }
        return best < 0 ? null : _candidates[best].Answer;
    }

    /// <summary>The oracle's pick: the first candidate equivalent to the gold answer, else null.</summary>
    public string? FirstCorrect(string gold) =>
        _candidates.FirstOrDefault(c => c.Answer is not null && Grader.IsEquivalent(gold, c.Answer))?.Answer;

    /// <summary>Weighted vote inside each group (revision chain), then a weighted vote across the groups'
    /// winners, each weighing its winning sum inside its group.</summary>
    public string? Hierarchical(StepAggregation steps)
    {
        var winners = new List<(int Index, double Weight)>();
        foreach (var group in Enumerable.Range(0, _candidates.Count).GroupBy(i => _candidates[i].Group))
        {
            var (index, weight, _) = Vote(group, i => steps.Apply(_candidates[i].StepScores));
            if (index >= 0) winners.Add((index, weight));
        }
        var byIndex = winners.ToDictionary(w => w.Index, w => w.Weight);
        return Vote(winners.Select(w => w.Index).OrderBy(i => i), i => byIndex[i]).Answer;
    }

    /// <summary>Sums weights per answer key over the given candidate indexes (in sample order); the largest sum wins,
    /// a tie goes to the key seen first. Returns the first candidate of the winning key and its sum.</summary>
    private (int Index, double Weight, string? Answer) Vote(IEnumerable<int> indexes, Func<int, double> weight)
    {
        var sums = new Dictionary<string, (int First, double Sum)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var i in indexes)
        {
            if (_keys[i] is not { } key) continue;
            var w = weight(i);
            if (sums.TryGetValue(key, out var s)) sums[key] = (s.First, s.Sum + w);
            else { sums[key] = (i, w); order.Add(key); }
        }
        if (order.Count == 0) return (-1, 0, null);
        var best = order[0];
        foreach (var key in order)
            if (sums[key].Sum > sums[best].Sum) best = key;
        var (first, sum) = sums[best];
        return (first, sum, _candidates[first].Answer);
    }
}
