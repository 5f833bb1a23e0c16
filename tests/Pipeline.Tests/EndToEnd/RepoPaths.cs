namespace Pipeline.Tests.EndToEnd;

internal static class RepoPaths
{
    /// <summary>The repository root (the folder holding Pipeline.sln), found from the test assembly's folder.</summary>
    public static string Root { get; } = Find();

    public static string Model(string file) => Path.Combine(Root, "models", "tiny-arith", file);

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Pipeline.sln"))) return d.FullName;
        throw new InvalidOperationException($"no Pipeline.sln above {AppContext.BaseDirectory}");
    }
}
