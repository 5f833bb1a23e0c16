namespace Pipeline.Inference.Tests;

/// <summary>tests/Fixtures/hf: tiny Hugging Face checkpoints with transformers' reference outputs.</summary>
internal static class HfFixtures
{
    public static string Root => Path.Combine(TestPaths.RepoRoot, "tests", "Fixtures", "hf");
    public static string Dir(string family) => Path.Combine(Root, family);
    public static string File(string family, string name) => Path.Combine(Root, family, name);
}
