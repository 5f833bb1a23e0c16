using System.Diagnostics;
using Pipeline.Producer.Infrastructure;

namespace Pipeline.Producer.ModelImport;

/// <summary>The Python 3 that runs scripts/hf_import/import_hf.py: PIPELINE_PYTHON when set, else Debian's
/// /usr/bin/python3 when it has numpy and onnx, else the python3 on PATH when it has them.</summary>
public static class ImporterPython
{
    public const string Variable = "PIPELINE_PYTHON";
    public const string InstallHint = "apt-get install python3-numpy python3-onnx";
    internal static readonly string[] Modules = ["numpy", "onnx"];

    /// <summary>The interpreter to use; a <see cref="CliException"/> naming what is missing otherwise.</summary>
    public static string Find(string? configured = null)
    {
        configured ??= Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(configured))
        {
            var missing = MissingModules(configured);
            return missing.Count == 0 ? configured
                : throw new CliException($"{Variable}={configured}: {Describe(missing)}; install them ({InstallHint} for Debian's /usr/bin/python3) or point {Variable} at a Python that has them");
        }
        var tried = new List<string>();
        foreach (var candidate in (string[])["/usr/bin/python3", "python3"])
        {
            if (candidate.StartsWith('/') && !File.Exists(candidate)) { tried.Add($"{candidate}: not found"); continue; }
            var missing = MissingModules(candidate);
            if (missing.Count == 0) return candidate;
            tried.Add($"{candidate}: {Describe(missing)}");
        }
        throw new CliException($"no Python 3 with numpy and onnx ({string.Join("; ", tried)}). Install them: {InstallHint} (or set {Variable})");
    }

    /// <summary>The modules among numpy and onnx that <paramref name="python"/> cannot import (all of them when it does not run).</summary>
    public static IReadOnlyList<string> MissingModules(string python)
    {
        var probe = "import importlib.util, sys; print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))";
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", probe, .. Modules]) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : Modules;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Modules;
        }
    }

    private static string Describe(IReadOnlyList<string> missing) =>
        $"missing Python module{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}";
}
