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
        Imported.GetOrAdd($"{family}/{layout}/{string.Join(' ', extra)}", key => new Lazy<string>(() =>
        {
            var outDir = Path.Combine(Path.GetTempPath(), "pipeline-hf-import", $"{family}-{layout}-{Environment.ProcessId}-{Guid.NewGuid():N}");
            RunImporter(family, outDir, ["--dtype", "float32", "--layout", layout, .. extra]);
            return Directory.GetFiles(outDir, "*.manifest.json").Single();
        })).Value;

    /// <summary>Runs import_hf.py on a fixture checkpoint into <paramref name="outDir"/>; fails with its output.</summary>
    public static void RunImporter(string family, string outDir, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        foreach (var a in new[] { Path.Combine(TestPaths.RepoRoot, "scripts", "hf_import", "import_hf.py"), HfDir(family), "--out", outDir }.Concat(args))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"import_hf.py {family} exited {p.ExitCode} ({Python} needs numpy and onnx: apt-get install python3-numpy python3-onnx):\n{stderr}{stdout.Result}");
    }

    // Debian's interpreter has python3-numpy and python3-onnx; another python3 on PATH may not.
    private static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}
