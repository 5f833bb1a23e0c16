namespace Pipeline.Inference.Tests;

public sealed class ModelRegistryTests
{
    private static InferenceOptions Options => new() { Device = "cpu", IntraOpThreads = 1, ModelsDirectory = TestPaths.TinyModels };

    [Fact]
    public void Finds_models_by_manifest_name_and_loads_each_once()
    {
        using var registry = new ModelRegistry(Options);
        var policy = registry.Get("tiny-arith-policy");
        Assert.Equal(ModelRole.Policy, policy.Manifest.Role);
        Assert.Same(policy, registry.Get("tiny-arith-policy"));
        Assert.Same(policy, registry.Get(TestPaths.Tiny("policy.manifest.json")));
        Assert.Equal("CPU", policy.ExecutionProvider);
    }

    [Fact]
    public void Unknown_name_lists_what_there_is()
    {
        using var registry = new ModelRegistry(Options);
        var e = Assert.Throws<KeyNotFoundException>(() => registry.Get("gpt-17"));
        Assert.Contains("tiny-arith-prm", e.Message);
    }
}
