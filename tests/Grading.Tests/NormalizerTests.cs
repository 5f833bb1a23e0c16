namespace Pipeline.Grading.Tests;

/// <summary>Rule-by-rule checks of the string normalization (issue 5, part 2).</summary>
public sealed class NormalizerTests
{
    [Theory]
    [InlineData(@"\left( 3, \frac{\pi}{2} \right)", @"(3,\frac{\pi}{2})")]
    [InlineData(@"10,\!080", "10080")]
    [InlineData(@"11,\! 111,\! 111,\! 100", "11111111100")]
    [InlineData(@"14{,}916", "14916")]
    [InlineData("7,425,000", "7425000")]
    [InlineData(@"\$32,\!348", "32348")]
    [InlineData(@"\dfrac{\sqrt{3}}{2}", @"\frac{\sqrt{3}}{2}")]
    [InlineData(@"\tfrac12", @"\frac{1}{2}")]
    [InlineData(@"\frac 34", @"\frac{3}{4}")]
    [InlineData(@"\frac9{19}", @"\frac{9}{19}")]
    [InlineData(@"\frac{270}7\text{ degrees}", @"\frac{270}{7}")]
    [InlineData(@"\sqrt3", @"\sqrt{3}")]
    [InlineData(@"11\sqrt2", @"11\sqrt{2}")]
    [InlineData(@"\sqrt[3]{x}", @"\sqrt[3]{x}")]
    [InlineData(@"15\mbox{ cm}^2", "15")]
    [InlineData(@"864 \mbox{ inches}^2", "864")]
    [InlineData(@"5.4 \text{ cents}", "5.4")]
    [InlineData(@"90^\circ", "90")]
    [InlineData(@"30^{\circ}", "30")]
    [InlineData(@"\text{Evelyn}", "Evelyn")]
    [InlineData(@"\text{(B)}", "B")]
    [InlineData(@"x \in [-2,7]", "[-2,7]")]
    [InlineData("5.", "5")]
    [InlineData(@"$\boxed{42}$", "42")]
    [InlineData(@"\!\,1\;2", "12")]
    [InlineData(@"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", @"\begin{pmatrix}1\\2\end{pmatrix}")]
    public void Normalizes_to_the_expected_key(string raw, string key) => Assert.Equal(key, LatexNormalizer.Normalize(raw).Key);

    [Theory]
    [InlineData(@"28\%", true)]
    [InlineData("28 percent", true)]
    [InlineData("28", false)]
    public void Remembers_a_percent_sign(string raw, bool percent) => Assert.Equal(percent, LatexNormalizer.Normalize(raw).HadPercent);

    [Fact]
    public void Keeps_two_letter_products_that_are_not_unit_words()
    {
        // "2 xy" is not "2 units": only known unit words after a number are dropped.
        Assert.Equal("2xy", LatexNormalizer.Normalize("2 xy").Key);
    }
}
