namespace Pipeline.Inference.Tests;

internal static class TestPaths
{
    public static string RepoRoot => RepoPaths.Root;
    public static string TinyModels => RepoPaths.TinyModels;
    public static string Fixtures => Path.Combine(RepoRoot, "tests", "Inference.Tests", "Fixtures");
    public static string Tiny(string file) => RepoPaths.TinyModel(file);
    public static string Fixture(string file) => Path.Combine(Fixtures, file);
}

/// <summary>Models are loaded once per test class run (sessions are the slow part).</summary>
public sealed class ModelsFixture : IDisposable
{
    private static readonly InferenceOptions Cpu = new() { Device = "cpu", IntraOpThreads = 2 };

    public LanguageModel Policy { get; } = LanguageModel.Load(TestPaths.Tiny("policy.manifest.json"), Cpu);
    public LanguageModel Revision { get; } = LanguageModel.Load(TestPaths.Tiny("revision.manifest.json"), Cpu);
    public LanguageModel Prm { get; } = LanguageModel.Load(TestPaths.Tiny("prm.manifest.json"), Cpu);
    public LanguageModel Script { get; } = LanguageModel.Load(TestPaths.Fixture("script_decoder.manifest.json"), Cpu);

    public static LanguageModel Load(string manifest, InferenceOptions? options = null) =>
        LanguageModel.Load(manifest, options ?? Cpu);

    public void Dispose()
    {
        Policy.Dispose();
        Revision.Dispose();
        Prm.Dispose();
        Script.Dispose();
    }
}

[CollectionDefinition("models")]
public sealed class ModelsCollection : ICollectionFixture<ModelsFixture>;
