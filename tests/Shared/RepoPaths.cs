namespace Pipeline.Testing;

/// <summary>Paths in the repository, found from the test assembly's folder (the repository root is the
/// folder holding Pipeline.sln). Linked into every test project.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The bundled tiny models' folder.</summary>
    public static string TinyModels => Path.Combine(Root, "models", "tiny-arith");

    public static string TinyModel(string file) => Path.Combine(TinyModels, file);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Pipeline.sln not found above {AppContext.BaseDirectory}");
    }
}
