using System.Diagnostics;
using Xunit.Abstractions;

namespace Pipeline.Grading.Tests;

/// <summary>
/// Prints comparisons per second of the full grader against a baseline in the same run (string normalization only, i.e.
/// the original MATH is_equiv approach). No time is asserted: numbers go to docs/grading.md with this test as their command.
/// </summary>
public sealed class GradingThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public void Prints_full_grader_throughput_against_a_normalization_only_baseline()
    {
        var cases = MathVerifyCorpusTests.LoadCases()
            .Select(c => (gold: AnswerExtractor.Extract(c.Gold) ?? c.Gold, pred: AnswerExtractor.Extract(c.Pred) ?? c.Pred))
            .ToList();
        var grader = new MathAnswerGrader();
        const int rounds = 20;

        var equalFull = 0;
        var sw = Stopwatch.StartNew();
        for (var r = 0; r < rounds; r++)
            foreach (var (gold, pred) in cases)
                if (grader.IsEquivalent(gold, pred)) equalFull++;
        var full = sw.Elapsed;

        var equalBaseline = 0;
        sw.Restart();
        for (var r = 0; r < rounds; r++)
            foreach (var (gold, pred) in cases)
                if (LatexNormalizer.Normalize(gold).Key == LatexNormalizer.Normalize(pred).Key) equalBaseline++;
        var baseline = sw.Elapsed;

        var n = rounds * cases.Count;
        output.WriteLine($"{n} comparisons of {cases.Count} corpus pairs");
        output.WriteLine($"full grader:        {n / full.TotalSeconds,10:F0} comparisons/s ({full.TotalMicroseconds / n:F1} us each), {equalFull / rounds} equal per round");
        output.WriteLine($"normalization only: {n / baseline.TotalSeconds,10:F0} comparisons/s ({baseline.TotalMicroseconds / n:F1} us each), {equalBaseline / rounds} equal per round");
        output.WriteLine($"ratio full/baseline time: {full / baseline:F1}x");
        // The point of the full grader: it finds equal pairs that string normalization misses.
        Assert.True(equalFull > equalBaseline);
    }
}
