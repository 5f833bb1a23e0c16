using System.Diagnostics;

namespace Pipeline.Tests.EndToEnd;

/// <summary>One service as a real OS process (<c>dotnet src/X/bin/CONFIG/net10.0/x.dll</c>, built by the solution
/// build), configured through environment variables as in production, so it can be killed with SIGKILL.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string?> _config;
    private readonly string _log;
    private Process? _process;

    public ServiceProcess(string project, string assembly, IReadOnlyDictionary<string, string?> config, string logFolder)
    {
        // the test runs from tests/Pipeline.Tests/bin/CONFIG/net10.0: the services were built in the same configuration
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        _dll = Path.Combine(RepoPaths.Root, "src", project, "bin", configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(_dll)) throw new FileNotFoundException($"{_dll}: not built (dotnet build Pipeline.sln -c {configuration})");
        _config = config;
        _log = Path.Combine(logFolder, assembly + ".log");
        Name = assembly;
    }

    public string Name { get; }

    public int Starts { get; private set; }

    public void Start()
    {
        var info = new ProcessStartInfo("dotnet", [_dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var (k, v) in _config) info.Environment[k.Replace(":", "__")] = v;
        var p = new Process { StartInfo = info };
        var log = TextWriter.Synchronized(File.AppendText(_log));
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        p.Exited += (_, _) => log.Flush();
        p.EnableRaisingEvents = true;
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        Starts++;
    }

    /// <summary>SIGKILL: no shutdown hook runs, unacknowledged messages go back to their queues.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public bool Exited => _process is { HasExited: true };

    public string LogTail(int lines = 30) =>
        File.Exists(_log) ? string.Join('\n', File.ReadLines(_log).TakeLast(lines)) : "(no log)";

    public async ValueTask DisposeAsync() => await KillAsync();
}
