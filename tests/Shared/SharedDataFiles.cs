namespace Pipeline.Testing;

/// <summary>The real data sets in ../shared/data beside the repository, which a CI clone may lack.</summary>
internal static class SharedDataFiles
{
    /// <summary>The data file's path; skips the calling test (naming the missing file) when it is absent.</summary>
    public static string Require(string name)
    {
        var path = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "data", name));
        Skip.IfNot(File.Exists(path), $"{path} is absent: this test needs ../shared/data/{name} beside the repository");
        return path;
    }
}
