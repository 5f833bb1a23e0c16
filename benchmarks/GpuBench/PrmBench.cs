using System.Diagnostics;
using Pipeline.Inference;

namespace Pipeline.GpuBench;

/// <summary>PRM-scored steps/s through the engine's PrmScorer: each candidate is a 200-token problem
/// and a number of steps of <c>stepTokens</c> tokens each (random letters added until the PRM's own tokenizer
/// makes that many: a BPE merges letters, so a letter count would miss the length), every step scored.</summary>
public static class PrmBench
{
    public static IEnumerable<(int Batch, int Tokens, double Seconds, double StepsPerSecond)> Run(
        LanguageModel prm, IReadOnlyList<string> problems, IReadOnlyList<int> batches, int steps, int stepTokens, int problemTokens = 0)
    {
        problems = CutProblems(prm, problems, problemTokens);
        var scorer = new PrmScorer(prm);
        foreach (var batch in batches)
        {
            var inputs = Inputs(prm, problems, batch, steps, stepTokens);
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
            int tokens = prm.EncodePrompt(prm.Manifest.FormatPrompt(inputs[0].Problem)).Length
                + inputs[0].Steps.Sum(t => prm.Tokenizer.Encode(t).Length + 2);
            yield return (batch, tokens, secs, batch * steps / secs);
        }
    }

    /// <summary><paramref name="batch"/> candidates: a problem each (round robin) and <paramref name="steps"/> steps of
    /// <paramref name="stepTokens"/> PRM tokens (random letters until the PRM's tokenizer makes that many), seeded.</summary>
    public static List<PrmInput> Inputs(LanguageModel prm, IReadOnlyList<string> problems, int batch, int steps, int stepTokens)
    {
        var rng = new Random(7);
        const string letters = "bcdfgjkmpquvwxyz";
        string Step()
        {
            var text = new System.Text.StringBuilder();
            while (prm.Tokenizer.Encode(text.ToString()).Length < stepTokens) text.Append(letters[rng.Next(letters.Length)]);
            return text.ToString();
        }
        return Enumerable.Range(0, batch)
            .Select(i => new PrmInput(problems[i % problems.Count], Enumerable.Range(0, steps).Select(_ => Step()).ToList()))
            .ToList();
    }

    /// <summary>Each problem cut to its first <paramref name="tokens"/> PRM tokens; 0 = the problems as they are.</summary>
    public static IReadOnlyList<string> CutProblems(LanguageModel prm, IReadOnlyList<string> problems, int tokens) =>
        tokens > 0 ? problems.Select(p => prm.Tokenizer.Decode(prm.Tokenizer.Encode(p).Take(tokens))).ToList() : problems;
}
