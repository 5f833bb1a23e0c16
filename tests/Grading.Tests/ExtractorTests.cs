namespace Pipeline.Grading.Tests;

/// <summary>Final-answer extraction (issue 5, part 1).</summary>
public sealed class ExtractorTests
{
    private readonly IAnswerGrader _grader = new MathAnswerGrader();

    [Theory]
    [InlineData(@"so the answer is $\boxed{\frac{1}{2}}$.", @"\frac{1}{2}")]
    [InlineData(@"First $\boxed{3}$, then corrected: $\boxed{4}$.", "4")]
    [InlineData(@"$\boxed{\left( 3, \frac{\pi}{2} \right)}$", @"\left( 3, \frac{\pi}{2} \right)")]
    [InlineData(@"nested $\boxed{\frac{\sqrt{\sqrt{11}+\sqrt{194}}}{15}}$ end", @"\frac{\sqrt{\sqrt{11}+\sqrt{194}}}{15}")]
    [InlineData(@"The result is \fbox{10}.", "10")]
    [InlineData(@"so $x = \boxed 5$", "5")]
    [InlineData(@"\boxed{x}\boxedfoo{y}", "x")]
    [InlineData(@"roots are \[ \boxed{-2} \quad \text{and} \quad \boxed{1}. \]", "-2, 1")]
    [InlineData(@"$\boxed{15\frac{39}{40}},$ or $\boxed{\frac{639}{40}}$ inches.", @"\frac{639}{40}")]
    public void Takes_the_last_boxed_answer_with_nested_braces(string text, string expected) => Assert.Equal(expected, _grader.ExtractAnswer(text));

    [Theory]
    [InlineData("We compute things.\nThe answer is 42.", "42")]
    [InlineData("Final Answer: The final answer is $28 \\%$. I hope it is correct.", "28 \\%")]
    [InlineData("Final Answer: The largest $n$ is 34.", "34")]
    [InlineData(@"first $\boxed{200}$, then $\boxed{255}$. Final Answer: The final answer is $10,455$. I hope it is correct.", "10,455")]
    [InlineData(@"The final answer is $\boxed{7}$, as computed.", "7")]
    public void Reads_the_answer_is_phrases(string text, string expected) => Assert.Equal(expected, _grader.ExtractAnswer(text));

    [Theory]
    [InlineData("Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18", "18")]
    [InlineData("lots of work\n#### 1,000\n", "1,000")]
    [InlineData("#### -3.5", "-3.5")]
    public void Reads_gsm8k_hash_answers(string text, string expected) => Assert.Equal(expected, _grader.ExtractAnswer(text));

    [Theory]
    [InlineData("Some reasoning.\n\n$\\frac{3}{4}$", @"\frac{3}{4}")]
    [InlineData("work\n12", "12")]
    [InlineData("Therefore, the minimum error in the measurement increases by 100%.", "100%")]
    [InlineData(@"The identity matrix is $\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}$.", @"\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}")]
    [InlineData("17+25 = 42\n\n42\\times 3 = 126\n\n126-40 = 86", "86")]
    [InlineData("The final answer is $1+1 = 2$.", "2")]
    [InlineData("work\nx = 5", "x = 5")]
    [InlineData("work\n2x + 4y = 3", "2x + 4y = 3")]
    public void Falls_back_to_the_final_line(string text, string expected) => Assert.Equal(expected, _grader.ExtractAnswer(text));

    [Theory]
    [InlineData("")]
    [InlineData("   \n  ")]
    [InlineData("We could not finish the problem in time, sorry about that.")]
    [InlineData("\\boxed{}")]
    public void Reports_null_when_nothing_can_be_extracted(string text) => Assert.Null(_grader.ExtractAnswer(text));

    [Fact]
    public void Unbalanced_box_takes_the_rest_instead_of_throwing() => Assert.Equal("3+", _grader.ExtractAnswer(@"\boxed{3+"));
}
