using System.Text;

namespace Pipeline.Inference.Tests;

/// <summary>The three PRM head kinds on the fixture graphs of Fixtures/make_fixtures.py: logits are a
/// running sum over tokens of E[token, c] = round(sin(1.7 token + 0.3 c + 0.1), 4), so the expected
/// score of a step is recomputed here from the token ids the layout must produce.</summary>
public sealed class PrmHeadTests
{
    private const string Problem = "Compute $2+2$.";
    private static readonly string[][] Candidates =
    [
        ["2+2 = 4", "The answer is $\\boxed{4}$."],
        ["2+2 = 5", "5", "The answer is $\\boxed{5}$."],
        ["x"],
    ];

    private static float E(int token, int c) => (float)Math.Round(Math.Sin(1.7 * token + 0.3 * c + 0.1), 4);

    private static float[] RunningSum(IReadOnlyList<int> ids, int c, int upTo)
    {
        var sum = 0f;
        for (var t = 0; t <= upTo; t++) sum += E(ids[t], c);
        return [sum];
    }

    private static List<int> Bytes(string s) => Encoding.UTF8.GetBytes(s).Select(b => (int)b).ToList();

    // Token ids and marker positions as docs/model-format.md lays the text out, built by hand.
    private static (List<int> Ids, List<int> Markers) Layout(string[] steps, Func<string, (List<int> Tokens, int MarkerOffset)> step)
    {
        var ids = new List<int> { 256 };
        ids.AddRange(Bytes(Problem + "\n\n"));
        var markers = new List<int>();
        foreach (var s in steps)
        {
            var (tokens, marker) = step(s);
            markers.Add(ids.Count + marker);
            ids.AddRange(tokens);
        }
        return (ids, markers);
    }

    private static IReadOnlyList<IReadOnlyList<double>> Score(string manifest)
    {
        using var model = ModelsFixture.Load(TestPaths.Fixture(manifest));
        return new PrmScorer(model).ScoreAsync(Problem, Candidates).Result;
    }

    [Fact]
    public void Value_head_reads_the_last_delimiter_token()
    {
        var scores = Score("prm_value.manifest.json");
        for (var c = 0; c < Candidates.Length; c++)
        {
            var (ids, markers) = Layout(Candidates[c], s => (Bytes(s + "\n\n"), Bytes(s).Count + 1));
            for (var s = 0; s < markers.Count; s++)
            {
                var x = RunningSum(ids, 0, markers[s])[0];
                Assert.Equal(1 / (1 + Math.Exp(-x)), scores[c][s], 5);
            }
        }
    }

    [Fact]
    public void Two_class_head_reads_softmax_class_1_at_each_separator()
    {
        var scores = Score("prm_two_class.manifest.json");
        for (var c = 0; c < Candidates.Length; c++)
        {
            var (ids, markers) = Layout(Candidates[c], s => ([.. Bytes(s), 257], Bytes(s).Count));
            for (var s = 0; s < markers.Count; s++)
            {
                double l0 = RunningSum(ids, 0, markers[s])[0], l1 = RunningSum(ids, 1, markers[s])[0];
                Assert.Equal(Math.Exp(l1) / (Math.Exp(l0) + Math.Exp(l1)), scores[c][s], 5);
            }
        }
    }

    [Fact]
    public void Token_logits_head_reads_good_over_bad_at_each_step_tag()
    {
        var scores = Score("prm_token_logits.manifest.json");
        int good = '+', bad = '-';
        for (var c = 0; c < Candidates.Length; c++)
        {
            var (ids, markers) = Layout(Candidates[c], s => ([.. Bytes(s + " "), 258, '\n'], Bytes(s).Count + 1));
            for (var s = 0; s < markers.Count; s++)
            {
                double g = RunningSum(ids, good, markers[s])[0], b = RunningSum(ids, bad, markers[s])[0];
                Assert.Equal(Math.Exp(g) / (Math.Exp(g) + Math.Exp(b)), scores[c][s], 5);
            }
        }
    }

    [Fact]
    public void Scores_differ_between_steps_and_candidates()
    {
        var scores = Score("prm_two_class.manifest.json");
        Assert.NotEqual(scores[0][0], scores[0][1]);
        Assert.NotEqual(scores[0][1], scores[1][1]);
    }
}
