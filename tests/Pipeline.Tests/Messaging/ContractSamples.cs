using Pipeline.Contracts;

namespace Pipeline.Tests.Messaging;

internal static class ContractSamples
{
    public static ExpandRound Round(long searchId, string policy = "policy-a", int lookahead = 0, int round = 0) => new(
        Guid.Parse("00000000-0000-0000-0000-000000000001"), searchId, round, policy, "prm-a",
        "What is 2+3?", GenerationMode.Step, new SamplingSettings(0.8, 1.0, 32, 8), lookahead,
        [
            new ExpansionRequest(0, null, [], 2, Seed: 11),
            new ExpansionRequest(1, 5, ["2+3=5"], 1, Seed: 12),
        ]);
}
