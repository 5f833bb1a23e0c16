using Pipeline.Contracts;
using Pipeline.ProposalWorker;

namespace Pipeline.Tests.Messaging;

public sealed class ExpandRoundValidatorTests
{
    private static readonly HashSet<string> Served = ["policy-a"];

    [Fact]
    public void A_well_formed_round_passes() => Assert.Null(ExpandRoundValidator.Validate(ContractSamples.Round(1), Served));

    [Theory]
    [InlineData("zero count", "Requests[0].Count must be > 0")]
    [InlineData("no requests", "field Requests is empty")]
    [InlineData("bad index", "Requests[1].Index is 5, expected 1")]
    [InlineData("bad top_p", "Sampling.TopP must be in (0, 1]")]
    [InlineData("prefix without parent", "PrefixSteps must be empty exactly when ParentNodeId is null")]
    [InlineData("revision without attempts", "Requests[0].PreviousAttempts is empty")]
    public void Each_broken_field_is_named(string broken, string expected)
    {
        var r = ContractSamples.Round(9);
        r = broken switch
        {
            "zero count" => r with { Requests = [r.Requests[0] with { Count = 0 }] },
            "no requests" => r with { Requests = [] },
            "bad index" => r with { Requests = [r.Requests[0], r.Requests[1] with { Index = 5 }] },
            "bad top_p" => r with { Sampling = r.Sampling with { TopP = 0 } },
            "prefix without parent" => r with { Requests = [r.Requests[0] with { PrefixSteps = ["x"] }] },
            "revision without attempts" => r with { Mode = GenerationMode.Revision },
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };
        var error = ExpandRoundValidator.Validate(r, Served);
        Assert.NotNull(error);
        Assert.Contains("search 9, round 0", error);
        Assert.Contains(expected, error);
    }
}
