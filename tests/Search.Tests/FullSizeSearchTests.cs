using System.Diagnostics;
using Pipeline.Grading;
using Pipeline.Search.Aggregation;
using Xunit.Abstractions;

namespace Pipeline.Search.Tests;

/// <summary>The paper's largest budget through whole searches: every round's counts and the final rows hold at
/// scale. Also prints how long one Plan / Evaluate call takes on the full tree (~10k nodes), the call the
/// Aggregator makes after every round (figures in docs/strategies.md; printed, never asserted).</summary>
public class FullSizeSearchTests(ITestOutputHelper output)
{
    private static double Score(int round, long? parent, int sample) => ((sample * 37 + round * 11 + (parent ?? 0) * 7) % 101) / 101.0;

    [Fact]
    public void Dvts_256_runs_40_rounds_of_64_subtrees()
    {
        var strategy = StrategyFactory.Create(StrategyConfig.Dvts(256, 4));
        var run = SearchDriver.Drive(strategy, Score, terminal: (r, p, s) => false);
        Assert.Equal(41, run.Plans.Count);
        Assert.All(run.Plans.SkipLast(1), p => Assert.Equal(256, p.Expansions.Sum(e => e.Count)));
        Assert.Equal(256, run.Last.FinalCandidates.Count);
        var rows = OutcomeEvaluator.Evaluate(strategy, run.Tree.Nodes, run.Last.FinalCandidates, "a39", MathAnswerGrader.Instance, new ModelSizes(1, 1));
        Assert.Equal(7 * 10, rows.Count); // budgets 4, 8, ..., 256

        var beforeLast = run.Tree.Nodes.Where(n => n.Round < 39).ToList();
        Report($"dvts(M=4) N=256: Plan(round 39) on {beforeLast.Count} nodes", () => strategy.Plan(beforeLast, 39));
        Report($"dvts(M=4) N=256: Evaluate on {run.Tree.Nodes.Count} nodes", () =>
            OutcomeEvaluator.Evaluate(strategy, run.Tree.Nodes, run.Last.FinalCandidates, "a39", MathAnswerGrader.Instance, new ModelSizes(1, 1)));
    }

    [Fact]
    public void Beam_256_keeps_16_beams_until_they_finish()
    {
        var strategy = StrategyFactory.Create(StrategyConfig.Beam(256));
        var run = SearchDriver.Drive(strategy, Score, terminal: (r, p, s) => r >= 30 && s % 2 == 0);
        Assert.All(run.Plans.Skip(1).SkipLast(1), p => Assert.Equal(16, p.Expansions.Count));
        Assert.Equal(256, run.Last.FinalCandidates.Count);
        Assert.All(run.Last.FinalCandidates, id => Assert.True(run.Tree[id].Terminal));

        var beforeLast = run.Tree.Nodes.Where(n => n.Round < run.Plans.Count - 2).ToList();
        Report($"beam(M=sqrt) N=256: Plan on {beforeLast.Count} nodes", () => strategy.Plan(beforeLast, run.Plans.Count - 2));
    }

    private void Report(string what, Action call)
    {
        call(); // warm-up: JIT
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            call();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        output.WriteLine($"{what}: median {times[2]:F1} ms (min {times[0]:F1}, max {times[4]:F1}) over 5 calls");
    }
}
