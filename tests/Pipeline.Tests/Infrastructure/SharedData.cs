namespace Pipeline.Tests.Infrastructure;

/// <summary>Finds the repository root and ../shared/data beside it (CI clones may lack the latter).</summary>
public static class SharedData
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no Pipeline.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The data file's path; skips the calling test (saying which file is missing) when it is absent.</summary>
    public static string RequireFile(string name)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data", name));
        Skip.IfNot(File.Exists(path), $"{path} is absent: this test needs ../shared/data/{name} beside the repository");
        return path;
    }
}
