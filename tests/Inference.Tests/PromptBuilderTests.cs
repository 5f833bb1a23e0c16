namespace Pipeline.Inference.Tests;

public sealed class PromptBuilderTests
{
    private static readonly ModelManifest Revision = ModelManifest.Load(TestPaths.Tiny("revision.manifest.json"));
    private static readonly ModelManifest Policy = ModelManifest.Load(TestPaths.Tiny("policy.manifest.json"));

    [Fact]
    public void Policy_prompt_ends_with_a_delimiter_after_every_prefix_step()
    {
        Assert.Equal("Compute $1+2$.\n\n", PromptBuilder.Policy(Policy, "Compute $1+2$.", []));
        Assert.Equal("Compute $1+2$.\n\n1+2 = 3\n\n", PromptBuilder.Policy(Policy, "Compute $1+2$.", ["1+2 = 3"]));
    }

    [Fact]
    public void Revision_prompt_shows_only_the_last_max_attempts_oldest_first()
    {
        var attempts = Enumerable.Range(1, 6).Select(i => (IReadOnlyList<string>)[$"a{i}", $"b{i}"]).ToList();
        var prompt = PromptBuilder.Revision(Revision, "P", attempts);
        Assert.Equal("P\n\nAttempt:\na3\nb3\n\nAttempt:\na4\nb4\n\nAttempt:\na5\nb5\n\nAttempt:\na6\nb6\n\nRevision:\n\n", prompt);
        Assert.Equal("P\n\nRevision:\n\n", PromptBuilder.Revision(Revision, "P", []));
    }

    [Fact]
    public void A_policy_manifest_cannot_build_a_revision_prompt()
    {
        var e = Assert.Throws<InvalidOperationException>(() => PromptBuilder.Revision(Policy, "P", []));
        Assert.Contains("not a revision model", e.Message);
    }
}
