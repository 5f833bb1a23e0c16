using System.Diagnostics;
using Pipeline.Inference;

namespace Pipeline.GpuBench;

/// <summary>PRM-scored steps/s through the engine's PrmScorer: each candidate is a 200-token problem
/// and a number of steps of fixed length, every step scored.</summary>
public static class PrmBench
{
    public static IEnumerable<(int Batch, int Tokens, double Seconds, double StepsPerSecond)> Run(
        LanguageModel prm, IReadOnlyList<string> problems, IReadOnlyList<int> batches, int steps, int stepTokens)
    {
        var scorer = new PrmScorer(prm);
        var rng = new Random(7);
        const string letters = "bcdfgjkmpquvwxyz";
        string Step() => new(Enumerable.Range(0, stepTokens).Select(_ => letters[rng.Next(letters.Length)]).ToArray());
        foreach (var batch in batches)
        {
            var inputs = Enumerable.Range(0, batch)
                .Select(i => new PrmInput(problems[i % problems.Count], Enumerable.Range(0, steps).Select(_ => Step()).ToList()))
                .ToList();
            scorer.Score(inputs);   // warm-up
            const int reps = 5;
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < reps; r++)
            {
                var scores = scorer.Score(inputs);
                if (scores.Count != batch || scores.Any(s => s.Count != steps))
                    throw new InvalidOperationException($"PRM returned {scores.Count} candidates, wanted {batch} x {steps} steps");
            }
            var secs = sw.Elapsed.TotalSeconds / reps;
            int tokens = prm.EncodePrompt(prm.Manifest.FormatPrompt(inputs[0].Problem)).Length + steps * (stepTokens + 2);
            yield return (batch, tokens, secs, batch * steps / secs);
        }
    }
}
