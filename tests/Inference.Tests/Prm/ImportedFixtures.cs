using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pipeline.Inference.Tests.Prm;

/// <summary>The tiny Hugging Face checkpoints of tests/Fixtures/hf imported with the project's importer
/// (scripts/hf_import/import_hf.py, Debian's python3 with numpy and onnx) into a temp folder, once per
/// test run for each (family, layout).</summary>
internal static class ImportedFixtures
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Imported = new();

    public static string HfDir(string family) => Path.Combine(TestPaths.RepoRoot, "tests", "Fixtures", "hf", family);

    /// <summary>Manifest path of <paramref name="family"/> imported as float32 in <paramref name="layout"/>.</summary>
    public static string Manifest(string family, string layout, params string[] extra) =>
        Imported.GetOrAdd($"{family}/{layout}/{string.Join(' ', extra)}", key => new Lazy<string>(() => Import(family, layout, extra))).Value;

    private static string Import(string family, string layout, string[] extra)
    {
        var out_ = Path.Combine(Path.GetTempPath(), "pipeline-hf-import", $"{family}-{layout}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { Path.Combine(TestPaths.RepoRoot, "scripts", "hf_import", "import_hf.py"), HfDir(family), "--out", out_,
                     "--dtype", "float32", "--layout", layout }.Concat(extra))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"import of {family} failed ({python} needs numpy and onnx: apt-get install python3-numpy python3-onnx):\n{stdout.Result}\n{stderr}");
        return Directory.GetFiles(out_, "*.manifest.json").Single();
    }
}
