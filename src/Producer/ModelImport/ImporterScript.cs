using Pipeline.Producer.Infrastructure;

namespace Pipeline.Producer.ModelImport;

/// <summary>Finds scripts/hf_import/import_hf.py: PIPELINE_IMPORT_SCRIPT when set, else in a folder above the
/// current directory or above the app's base directory (a build output inside the repository).</summary>
public static class ImporterScript
{
    public const string Variable = "PIPELINE_IMPORT_SCRIPT";
    private static readonly string Relative = Path.Combine("scripts", "hf_import", "import_hf.py");

    public static string Find() =>
        Find(Environment.GetEnvironmentVariable(Variable), [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);

    /// <summary>The script at <paramref name="configured"/>, else the first scripts/hf_import/import_hf.py in or
    /// above one of <paramref name="starts"/>; the error names every path looked at.</summary>
    public static string Find(string? configured, IEnumerable<string> starts)
    {
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(configured) ? Path.GetFullPath(configured) : throw new CliException($"{Variable}={configured}: file not found");
        var looked = new List<string>();
        foreach (var start in starts.Distinct())
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, Relative);
                if (File.Exists(path)) return path;
                looked.Add(path);
            }
        throw new CliException($"{Relative} not found; looked in {string.Join(", ", looked.Distinct())}. Run from the repository or set {Variable}");
    }
}
