using System.Diagnostics;

namespace Pipeline.Grading.Tests;

/// <summary>Bounded time per comparison, and no exception on garbage (issue 5, part 3).</summary>
public sealed class RobustnessTests
{
    private readonly IAnswerGrader _grader = new MathAnswerGrader();

    public static TheoryData<string> Garbage() =>
    [
        "", " ", "}", "{", @"\frac{", @"\frac{}{}", @"\sqrt[", "((((", "))))", "^^^", "1/0", "0/0", @"\infty - \infty",
        @"\begin{pmatrix}", @"\end{pmatrix}", @"\begin{pmatrix} 1 & \\ \end{pmatrix}", "x = = 3", "= 3", "3 =", "<>", @"\{\}",
        @"\left( \right)", "\u0000\u0001", "[1,", "(,)", @"10^{10^{10}}", "99999999999999999999999999999999999999999", "9!!!!!!",
        @"\log 0", @"\sqrt{-1}^{\sqrt{-1}}", "|||", @"\pm\pm\pm", "1e999", "\\", @"\boxed{\boxed{\boxed{}}}", "\ud800",
        // Issue 13's new paths: matrix arithmetic, |x| ranges, approximations, ratios, labels, decimal commas, think blocks.
        @"\begin{pmatrix}1\end{pmatrix}\begin{pmatrix}", @"\begin{pmatrix}1 & 2\end{pmatrix}\begin{pmatrix}1 & 2\end{pmatrix}",
        @"\begin{pmatrix}x\end{pmatrix} + \begin{bmatrix}1 \\ 2\end{bmatrix}", "1 \\le |x| \\le", "|x| < ", "|x| > -1", "0 < |x| < 0",
        @"\approx", @"x \approx", @"= \approx =", "a:b:", ":", "12:", "{,}", "{}", "1,", ",5", "0,", "<think>", "</think>", "<think></think>",
        "<|im_start|>", "$", "$$", @"\[", "Answer $", "Answer \\(", "p=;q=", "(;)", "(1;)",
    ];

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Garbage_never_throws(string garbage)
    {
        _ = _grader.IsEquivalent(garbage, "1");
        _ = _grader.IsEquivalent("1", garbage);
        _ = _grader.IsEquivalent(garbage, garbage + garbage);
        _ = _grader.ExtractAnswer(garbage);
        Assert.NotNull(_grader.AnswerKey(garbage));
    }

    [Fact]
    public void Null_inputs_are_not_equal_and_do_not_throw()
    {
        Assert.False(_grader.IsEquivalent(null!, "1"));
        Assert.False(_grader.IsEquivalent("1", null!));
        Assert.Null(_grader.ExtractAnswer(null!));
        Assert.NotNull(_grader.AnswerKey(null!));
    }

    [Fact]
    public void Huge_expressions_stop_at_the_step_budget_quickly()
    {
        // A sum of 5,000 terms and a tower of nested fractions: both must come back false fast, not hang.
        var longSum = string.Join("+", Enumerable.Range(1, 5000).Select(i => $"x^{{{i}}}"));
        var nested = string.Concat(Enumerable.Repeat(@"\frac{1}{1+", 300)) + "x" + new string('}', 300) + new string('}', 300);
        var grader = new MathAnswerGrader(new GradingOptions { MaxAnswerLength = 1_000_000 });
        var sw = Stopwatch.StartNew();
        Assert.False(grader.IsEquivalent(longSum, longSum + "+1"));
        Assert.False(grader.IsEquivalent(nested, nested + "+1"));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Fact]
    public void A_tiny_step_budget_makes_a_real_comparison_answer_false_instead_of_hanging()
    {
        var starved = new MathAnswerGrader(new GradingOptions { MaxSteps = 5 });
        Assert.False(starved.IsEquivalent("(x+1)^2", "x^2+2x+1"));
        Assert.True(new MathAnswerGrader().IsEquivalent("(x+1)^2", "x^2+2x+1"));
    }

    [Fact]
    public void Identical_strings_are_equal_even_when_too_long_to_parse()
    {
        var big = string.Join("+", Enumerable.Range(1, 2000));
        Assert.True(_grader.IsEquivalent(big, big));
    }

    [Fact]
    public void Grading_is_thread_safe()
    {
        var results = new bool[2000];
        Parallel.For(0, results.Length, i => results[i] = _grader.IsEquivalent(@"\frac{x+2}{7}", @"\frac{x}{7}+\frac{2}{7}") && !_grader.IsEquivalent("x+1", "x+2"));
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void Deep_nesting_and_megabyte_inputs_come_back_without_stack_overflow()
    {
        // A stack overflow cannot be caught: every recursion must be bounded before it happens.
        var deepFrac = string.Concat(Enumerable.Repeat(@"\frac{", 20_000)) + "1" + new string('}', 20_000);
        var deepParens = new string('(', 50_000) + "1" + new string(')', 50_000);
        var deepMinus = new string('-', 100_000) + "1";
        var deepPower = string.Join("^", Enumerable.Repeat("x", 50_000));
        var deepBraces = new string('{', 50_000) + "1" + new string('}', 50_000);
        var grader = new MathAnswerGrader(new GradingOptions { MaxAnswerLength = 1_000_000 });
        var sw = Stopwatch.StartNew();
        foreach (var s in new[] { deepFrac, deepParens, deepMinus, deepPower, deepBraces })
        {
            Assert.False(grader.IsEquivalent(s, "2"));
            Assert.NotNull(grader.AnswerKey(s));
            _ = grader.ExtractAnswer(@"\boxed{" + s + "}");
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Mutated_corpus_strings_never_throw()
    {
        // Deterministic fuzzing: slices and splices of real answers are the garbage a model actually produces.
        var pool = MathVerifyCorpusTests.LoadCases().Concat(MathVerifyCorpusTests.LoadCases(MathVerifyCorpusTests.RulesCorpus))
            .SelectMany(c => new[] { c.Gold, c.Pred }).ToList();
        var rng = new Random(5);
        for (var i = 0; i < 3000; i++)
        {
            var a = pool[rng.Next(pool.Count)];
            var b = pool[rng.Next(pool.Count)];
            var cut = a[..rng.Next(a.Length + 1)] + b[rng.Next(b.Length + 1)..];
            _ = _grader.IsEquivalent(cut, b);
            _ = _grader.AnswerKey(cut);
            _ = _grader.ExtractAnswer(cut);
        }
    }

    [Fact]
    public void Extraction_from_a_megabyte_sentence_of_spans_and_numbers_is_bounded()
    {
        // One line of prose with thousands of math spans and numbers: every span-aware step of the sentence path runs on it.
        var line = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"we have $x_{i} = {i}$ so the value is {i}, "));
        var sw = Stopwatch.StartNew();
        _ = _grader.ExtractAnswer(line);
        _ = _grader.ExtractAnswer("<think>" + line + "</think>" + line);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }
}
