namespace Pipeline.Search.Tests;

public class StrategyConfigTests
{
    [Theory]
    [InlineData(StrategyKind.BestOfN, null, 0, 0, "best_of_n")]
    [InlineData(StrategyKind.Beam, 4, 0, 0, "beam(M=4)")]
    [InlineData(StrategyKind.Beam, null, 0, 0, "beam(M=sqrt)")]
    [InlineData(StrategyKind.Lookahead, 4, 1, 0, "lookahead(M=4,k=1)")]
    [InlineData(StrategyKind.Lookahead, null, 3, 0, "lookahead(M=sqrt,k=3)")]
    [InlineData(StrategyKind.Dvts, 4, 0, 0, "dvts(M=4)")]
    [InlineData(StrategyKind.Revisions, null, 0, 4, "revisions(L=4)")]
    public void Label_is_stable(StrategyKind kind, int? m, int k, int l, string label)
    {
        var config = new StrategyConfig(kind, 16, m, k, l);
        Assert.Equal(label, config.Label);
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Duplicate_filtering_is_in_the_label_and_only_for_beam_lookahead_and_dvts()
    {
        Assert.Equal("beam(M=4,dedup)", (StrategyConfig.Beam(16, 4) with { FilterDuplicates = true }).Label);
        Assert.Equal("beam(M=sqrt,dedup)", (StrategyConfig.Beam(16) with { FilterDuplicates = true }).Label);
        Assert.Equal("lookahead(M=4,k=1,dedup)", (StrategyConfig.LookaheadSearch(16, 1, 4) with { FilterDuplicates = true }).Label);
        Assert.Equal("dvts(M=4,dedup)", (StrategyConfig.Dvts(16, 4) with { FilterDuplicates = true }).Label);
        Assert.Empty((StrategyConfig.Dvts(16, 4) with { FilterDuplicates = true }).Validate());
        Assert.Contains((StrategyConfig.BestOfN(16) with { FilterDuplicates = true }).Validate(), e => e.Contains("filter_duplicates is only meaningful"));
        Assert.Contains((StrategyConfig.Revisions(16, 4) with { FilterDuplicates = true }).Validate(), e => e.Contains("filter_duplicates is only meaningful"));
    }

    [Fact]
    public void Every_kind_has_one_stored_name_that_parses_back()
    {
        Assert.Equal(["best_of_n", "beam", "lookahead", "dvts", "revisions"], StrategyKinds.Names);
        foreach (var kind in StrategyKinds.All)
            Assert.Equal(kind, StrategyKinds.Parse(kind.Name()));
        Assert.False(StrategyKinds.TryParse("tree", out _));
        Assert.Contains("best_of_n, beam, lookahead, dvts, revisions", Assert.Throws<FormatException>(() => StrategyKinds.Parse("tree")).Message);
    }

    [Theory]
    [InlineData(16, 4)]
    [InlineData(4, 2)]
    [InlineData(256, 16)]
    [InlineData(8, 2)]
    [InlineData(32, 4)]
    [InlineData(2, 1)]
    [InlineData(1, 1)]
    [InlineData(12, 3)]
    [InlineData(64, 8)]
    [InlineData(128, 8)]
    public void Sqrt_width_is_the_divisor_of_N_nearest_sqrt_N(int n, int expected)
    {
        var config = StrategyConfig.Beam(n);
        Assert.True(config.BeamWidthIsSqrt);
        Assert.Equal(expected, config.EffectiveBeamWidth);
        Assert.Equal(0, n % config.EffectiveBeamWidth);
    }

    [Fact]
    public void Fixed_width_is_not_sqrt()
    {
        var config = StrategyConfig.Beam(16, 4);
        Assert.False(config.BeamWidthIsSqrt);
        Assert.Equal(4, config.EffectiveBeamWidth);
        Assert.False(StrategyConfig.BestOfN(16).BeamWidthIsSqrt);
        Assert.Throws<InvalidOperationException>(() => StrategyConfig.BestOfN(16).EffectiveBeamWidth);
    }

    [Theory]
    [InlineData(StrategyKind.Beam, 16, 3, 0, 0, "N must be divisible by the beam width M (16 % 3 = 1)")]
    [InlineData(StrategyKind.Dvts, 4, 8, 0, 0, "the beam width M=8 is larger than the budget N=4")]
    [InlineData(StrategyKind.Beam, 16, 0, 0, 0, "the beam width M must be at least 1")]
    [InlineData(StrategyKind.Lookahead, 16, 4, 0, 0, "lookahead search needs k >= 1")]
    [InlineData(StrategyKind.Beam, 16, 4, 2, 0, "only meaningful for lookahead search")]
    [InlineData(StrategyKind.Revisions, 16, null, 0, 3, "N must be divisible by the chain length L (16 % 3 = 1)")]
    [InlineData(StrategyKind.Revisions, 16, null, 0, 0, "the chain length L must be at least 1")]
    [InlineData(StrategyKind.BestOfN, 16, 4, 0, 0, "only meaningful for beam, lookahead and dvts")]
    [InlineData(StrategyKind.BestOfN, 16, null, 0, 2, "a chain length L is only meaningful for revisions")]
    [InlineData(StrategyKind.BestOfN, 0, null, 0, 0, "the budget N must be at least 1")]
    public void Invalid_configs_are_refused_with_a_clear_message(StrategyKind kind, int n, int? m, int k, int l, string message)
    {
        var config = new StrategyConfig(kind, n, m, k, l);
        Assert.Contains(config.Validate(), e => e.Contains(message, StringComparison.Ordinal));
        var ex = Assert.Throws<ArgumentException>(() => StrategyFactory.Create(config));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains(config.Label, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_settings_are_validated()
    {
        Assert.Contains(new StrategyConfig(StrategyKind.BestOfN, 4, MaxRounds: 0).Validate(), e => e.Contains("MaxRounds must be at least 1"));
        Assert.Contains(new StrategyConfig(StrategyKind.BestOfN, 4, Temperature: -1).Validate(), e => e.Contains("Temperature must be"));
        Assert.Contains(new StrategyConfig(StrategyKind.BestOfN, 4, Temperature: double.NaN).Validate(), e => e.Contains("Temperature must be"));
        Assert.Contains(new StrategyConfig(StrategyKind.Revisions, 64, ChainLength: 64, MaxRounds: 40).Validate(),
            e => e.Contains("needs L rounds but MaxRounds is 40"));
    }
}
