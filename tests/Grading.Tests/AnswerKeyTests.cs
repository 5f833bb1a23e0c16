namespace Pipeline.Grading.Tests;

/// <summary>Voting keys: answers the grader calls equal share a key, different answers do not.</summary>
public sealed class AnswerKeyTests
{
    private readonly IAnswerGrader _grader = new MathAnswerGrader();

    [Theory]
    [InlineData("0.5", @"\frac{1}{2}", "1/2", @"\dfrac12")]
    [InlineData("7425000", "7,425,000", "7425000.0", @"7{,}425{,}000")]
    [InlineData("x=3", "3", @"\boxed{3}", "3.")]
    [InlineData("(1,2)", "(1, 2)", @"\left(1,2\right)", @"(\frac{2}{2}, 2)")]
    [InlineData(@"\{1,2\}", @"\{2,1\}", "2, 1", "1,2")]
    [InlineData("x+1", "1+x", @"\frac{2x+2}{2}", "(x+1)")]
    [InlineData(@"\frac{\sqrt{3}}{2}", @"\dfrac{\sqrt3}{2}", @"\sqrt{0.75}", @"\frac{1}{2}\sqrt{3}")]
    [InlineData(@"\frac{1}{3}", "0.333333", @"\frac{2}{6}", "1/3")]
    [InlineData(@"\text{Evelyn}", "Evelyn", "evelyn", @"\textbf{Evelyn}")]
    public void Equivalent_forms_share_a_key(params string[] forms)
    {
        var keys = forms.Select(_grader.AnswerKey).Distinct().ToList();
        Assert.True(keys.Count == 1, $"keys differ: {string.Join(" | ", forms.Zip(keys.Concat(Enumerable.Repeat("", forms.Length)), (f, k) => f + " -> " + _grader.AnswerKey(f)))}");
    }

    [Theory]
    [InlineData("0.5", "0.25")]
    [InlineData("7425000", "7425001")]
    [InlineData("(1,2)", "(2,1)")]
    [InlineData("(1,2)", "[1,2]")]
    [InlineData("x+1", "x+2")]
    [InlineData("x", "y")]
    [InlineData(@"\{1,2\}", @"\{1,3\}")]
    [InlineData(@"\text{east}", @"\text{west}")]
    [InlineData("1", "-1")]
    [InlineData(".0000672", ".0000671")]
    [InlineData("k = 45, n = 2", "k = 2, n = 45")]
    [InlineData("12:00", "1:00")]
    public void Different_answers_get_different_keys(string a, string b) => Assert.NotEqual(_grader.AnswerKey(a), _grader.AnswerKey(b));

    [Theory]
    [InlineData(MathVerifyCorpusTests.MainCorpus)]
    [InlineData(MathVerifyCorpusTests.RulesCorpus)]
    public void Keys_agree_with_equivalence_on_the_corpus_pairs(string file)
    {
        // Where two answers get the same key, the grader must also call them equivalent (votes never merge unequal answers).
        var mismatches = new List<string>();
        foreach (var c in MathVerifyCorpusTests.LoadCases(file))
        {
            var gold = _grader.ExtractAnswer(c.Gold) ?? c.Gold;
            var pred = _grader.ExtractAnswer(c.Pred);
            if (pred is null) continue;
            // Votes compare predictions with each other, so either direction counts (an interval gold refuses an inequality by design).
            if (_grader.AnswerKey(gold) == _grader.AnswerKey(pred) && !_grader.IsEquivalent(gold, pred) && !_grader.IsEquivalent(pred, gold))
                mismatches.Add($"line {c.Line}: {gold} | {pred}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }
}
