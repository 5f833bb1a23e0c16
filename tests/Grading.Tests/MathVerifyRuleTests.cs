namespace Pipeline.Grading.Tests;

/// <summary>Issue 13: one test per Math-Verify rule, with both verdicts where a rule could say "equal" wrongly.</summary>
public sealed class MathVerifyRuleTests
{
    private readonly IAnswerGrader _grader = new MathAnswerGrader();

    [Theory]
    [InlineData("<think>\nperhaps \\boxed{3}\n</think>\nSo the count is $\\boxed{4}$.", "4")]
    [InlineData("<think>\nthe count is \\boxed{4}\n</think>\nDone.", "4")]
    [InlineData("<think>\nunfinished, it may be \\boxed{6}", "6")]
    [InlineData("the probability is 2/3. <|im_start|>user\nnext question \\boxed{9}", "2/3")]
    public void Skips_think_blocks_and_stops_at_chat_tokens(string text, string expected) => Assert.Equal(expected, _grader.ExtractAnswer(text));

    [Theory]
    [InlineData("So the answer is \\[\n 7 \n\\]", "7")]
    [InlineData("Answer $$\n\\frac{1}{2}\n$$", @"\frac{1}{2}")]
    [InlineData("Answer \\( 5+3 \\)", "5+3")]
    [InlineData("The final answer is $1+1 = 2$.", "2")]
    public void Takes_the_math_span_after_an_answer_phrase(string text, string expected) => Assert.Equal(expected, _grader.ExtractAnswer(text));

    [Theory]
    [InlineData("Answer $ \n 7 \n $")]
    [InlineData("Answer \\( \n 7 \n \\)")]
    [InlineData("We may check our answer: $17\\cdot 44 = 748$, so the claim holds")]
    public void Inline_math_broken_by_a_line_end_or_an_aside_is_no_answer(string text) => Assert.NotEqual("7", _grader.ExtractAnswer(text));

    [Theory]
    [InlineData(@"\boxed{1}\boxed{2}", "1, 2")]
    [InlineData(@"\boxed{1}, \boxed{2}", "1, 2")]
    [InlineData(@"\boxed{1} papers and \boxed{2} bins", "1, 2")]
    [InlineData(@"\boxed{(3, 3)} \text{ for part (a) and } \boxed{(1, 1)}", "(3, 3), (1, 1)")]
    [InlineData(@"\boxed{1} no no no no no \boxed{2}", "2")]
    [InlineData(@"$$\boxed{20}$$ \boxed{143}", "143")]
    [InlineData(@"First $\boxed{3}$, then corrected: $\boxed{4}$.", "4")]
    public void Joins_boxes_only_across_connectives(string text, string expected) => Assert.Equal(expected, _grader.ExtractAnswer(text));

    [Theory]
    [InlineData("From $$\\frac{a}{b} = \\frac{3}{10}$$ we conclude that the share grows by 30%.", "30%")]
    [InlineData("Soucis : 2,74 $ a..", "2,74")]
    [InlineData("not it's not 10 it's 1,000.99m²", "1,000.99")]
    [InlineData("Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.", "120")]
    public void A_sentence_gives_its_last_number_or_span(string text, string expected) => Assert.Equal(expected, _grader.ExtractAnswer(text));

    [Fact]
    public void A_digit_inside_a_word_is_not_a_number() => Assert.False(_grader.IsEquivalent("2", _grader.ExtractAnswer("AZYUK2A") ?? ""));

    [Theory]
    [InlineData("1,22", "1.22", true)]
    [InlineData("1000,99", "1000.99", true)]
    [InlineData("0,111", "0.111", true)]
    [InlineData("1,250", "1250", true)]
    [InlineData("1,250", "1.25", false)]
    [InlineData("1,22", "122", false)]
    [InlineData("-2,1", "1, -2", true)]
    [InlineData("-2,1", "-2.1", false)]
    [InlineData("12,5€", "12.5", true)]
    [InlineData("1,000.99m²", "1000.99", true)]
    [InlineData("1 000", "1000", true)]
    [InlineData("4 4/9", "40/9", true)]
    [InlineData("4 4/9", "4", false)]
    public void Reads_decimal_commas_thousands_and_glued_units(string gold, string pred, bool expected) => Assert.Equal(expected, _grader.IsEquivalent(gold, pred));

    [Theory]
    [InlineData("1,22", "1.22")]
    [InlineData("0,750", "0.750")]
    [InlineData("-3,5", null)]
    [InlineData("1,250", null)]
    [InlineData("1,2,3", null)]
    [InlineData("x,5", null)]
    public void Decimal_comma_reading_only_where_a_thousands_separator_is_impossible(string text, string? expected) =>
        Assert.Equal(expected, DecimalComma.Reading(text));

    [Theory]
    [InlineData(@"x = 5+5+1 = 1/3 \approx 11", "1/3", true)]
    [InlineData(@"x = 5+5+1 = 1/3 \approx 11", "11", false)]
    [InlineData(@"x \approx 11", "11", true)]
    [InlineData(@"\frac{1}{2} = \frac{10}{9}", "10/9", true)]
    [InlineData("7 = 11a+c", "11a+c", false)]
    [InlineData("|AB| = 1", "1", true)]
    [InlineData("A:B = 1", "1", true)]
    [InlineData("V_{1}:V_{2} = 11:21", "11:21", true)]
    [InlineData("V_{1}:V_{2} = 11:21", "21:11", false)]
    [InlineData("12:00", "1:00", false)]
    [InlineData("k = 45, n = 2", "n = 2, k = 45", true)]
    [InlineData("k = 45, n = 2", "k = 2, n = 45", false)]
    [InlineData("k = 45, n = 2", "45, 2", true)]
    [InlineData(@"x \ge 5", "5 <= x", true)]
    [InlineData(@"x \gt 5", "x < 5", false)]
    [InlineData(@"x \neq 3", "x != 3", true)]
    public void Relations_chains_and_labels(string gold, string pred, bool expected) => Assert.Equal(expected, _grader.IsEquivalent(gold, pred));

    [Theory]
    [InlineData("(1,3)", "{1,3}", true)]
    [InlineData("(3,1)", "{1,3}", false)]
    [InlineData(@"\pm 2021", "{-2021, 2021}", true)]
    [InlineData(@"\pm 2021", "2021", false)]
    [InlineData("(1,2),(3,4)", "(3,4),(1,2),(1,2)", true)]
    [InlineData("(1,2),(3,4)", "(3,4),(2,1)", false)]
    [InlineData("(0;-2;6),(4;0;0)", "(4, 0, 0), (0, -2, 6)", true)]
    [InlineData("p=5,q=2;p=7,q=2", "(5,2),(7,2)", true)]
    [InlineData("(11,7)or(7,11)", "(7,11), (11,7)", true)]
    public void Several_answers_as_sets(string gold, string pred, bool expected) => Assert.Equal(expected, _grader.IsEquivalent(gold, pred));

    [Theory]
    [InlineData(@"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}", @"\left[\begin{array}{cc}1 & 2 \\ 3 & 4\end{array}\right]", true)]
    [InlineData(@"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}", @"\begin{bmatrix}1 & 2 \\ 3 & 4\end{bmatrix}", true)]
    [InlineData(@"\begin{pmatrix}6 & 8 \\ 10 & 12\end{pmatrix}", @"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix}", true)]
    [InlineData(@"\begin{pmatrix}-4 & -4 \\ -4 & -4\end{pmatrix}", @"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} - \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix}", true)]
    [InlineData(@"\begin{pmatrix}19 & 22 \\ 43 & 50\end{pmatrix}", @"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix}", true)]
    [InlineData(@"\begin{pmatrix}23 & 34 \\ 31 & 46\end{pmatrix}", @"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix}", false)]
    [InlineData(@"\begin{pmatrix}1 & 2\end{pmatrix}", @"\begin{pmatrix}1 & 2\end{pmatrix} \begin{pmatrix}1 & 2\end{pmatrix}", false)]
    public void Matrices_in_any_bracket_and_their_sums_and_products(string gold, string pred, bool expected) => Assert.Equal(expected, _grader.IsEquivalent(gold, pred));

    [Theory]
    [InlineData(@"1 \le |z| \le \frac{3}{2}", @"\left[-\frac{3}{2}, -1\right] \cup \left[1, \frac{3}{2}\right]", true)]
    [InlineData(@"1 \le |z| \le \frac{3}{2}", @"[1, \frac{3}{2}]", false)]
    [InlineData(@"1 < |z| \le 2", "[-2,-1) \\cup (1,2]", true)]
    [InlineData(@"1 < |z| \le 2", "[-2,-1] \\cup [1,2]", false)]
    [InlineData(@"0 \le |z| < 2", "(-2,2)", true)]
    [InlineData(@"|z| < 2", "(-2,2)", true)]
    [InlineData(@"|z| \ge 2", @"(-\infty,-2] \cup [2,\infty)", true)]
    [InlineData(@"2 > |z|", "(-2,2)", true)]
    public void Absolute_value_ranges_are_unions_of_intervals(string gold, string pred, bool expected) => Assert.Equal(expected, _grader.IsEquivalent(gold, pred));

    [Fact]
    public void The_plain_number_fast_path_gives_the_full_paths_verdicts()
    {
        // "$...$" around one side keeps it off the fast path, so both verdicts can be compared.
        var rng = new Random(3);
        var values = new List<string> { "1,250", "1250", ".5", "0.5", "1000.0", "1000", "7425000", "7425001", "0.0000672", "0.0000671", "-0", "0", "007", "7" };
        for (var i = 0; i < 300; i++)
        {
            var v = rng.Next(0, 3) switch { 0 => rng.Next(-5000, 5000).ToString(), 1 => (rng.NextDouble() * 100).ToString("0.####"), _ => rng.Next(1000, 9_999_999).ToString("#,##0") };
            values.Add(v);
        }
        for (var i = 0; i + 1 < values.Count; i++)
            foreach (var (a, b) in new[] { (values[i], values[i + 1]), (values[i], values[i]), (values[i], values[i].Replace(",", "")) })
                Assert.True(_grader.IsEquivalent(a, b) == _grader.IsEquivalent("$" + a + "$", b), $"{a} vs {b}");
    }
}
