using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Tests.Reports;

/// <summary>Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket): opens a page, collects
/// console messages and uncaught exceptions, evaluates script, takes a screenshot. scripts/test.sh installs it.</summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    /// <summary>Console messages of level error or warning, uncaught exceptions and browser log errors, as text.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    private HeadlessChromium(Process process, string profile) => (_process, _profile) = (process, profile);

    public static string? FindExecutable() =>
        new[] { Environment.GetEnvironmentVariable("PIPELINE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public static async Task<HeadlessChromium> StartAsync(TimeSpan timeout)
    {
        var exe = FindExecutable() ?? throw new InvalidOperationException(
            "Chromium not found (/usr/bin/chromium or PIPELINE_CHROMIUM): scripts/test.sh installs it with 'apt-get install -y chromium'");
        var profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                     $"--user-data-dir={profile}", "about:blank" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var browser = new HeadlessChromium(process, profile);
        try
        {
            _ = process.StandardOutput.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr; the first page is at /json/list
            string? line;
            var seen = new StringBuilder();
            while ((line = await process.StandardError.ReadLineAsync(cts.Token)) is not null && !line.Contains("DevTools listening on "))
                seen.AppendLine(line);
            if (line is null) throw new InvalidOperationException($"{exe} exited before its DevTools endpoint was up:\n{seen}");
            _ = DrainAsync(process.StandardError);
            var port = new Uri(line[(line.IndexOf("ws://", StringComparison.Ordinal))..].Trim()).Port;
            using var http = new HttpClient();
            var pages = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list", cts.Token))!.AsArray();
            var page = pages.First(p => (string?)p!["type"] == "page")!;
            await browser._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), cts.Token);
            browser._receiving = browser.ReceiveAsync();
            foreach (var domain in new[] { "Runtime.enable", "Log.enable", "Page.enable" }) await browser.SendAsync(domain, null, timeout);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Navigates and waits for the load event.</summary>
    public async Task OpenAsync(string url, TimeSpan timeout)
    {
        _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, timeout);
        if (result["errorText"] is { } error) throw new InvalidOperationException($"navigating to {url} failed: {error}");
        await _loaded.Task.WaitAsync(timeout);
    }

    /// <summary>Evaluates an expression in the page and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, TimeSpan timeout)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, timeout);
        if (result["exceptionDetails"] is { } ex) throw new InvalidOperationException($"'{expression}' threw: {ex.ToJsonString()}");
        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>PNG of the whole page at the given width.</summary>
    public async Task<byte[]> ScreenshotAsync(int width, TimeSpan timeout)
    {
        var height = (int)((await EvaluateAsync("document.documentElement.scrollHeight", timeout))?.GetValue<double>() ?? 1000);
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
        {
            ["width"] = width, ["height"] = Math.Min(height, 16000), ["deviceScaleFactor"] = 1, ["mobile"] = false,
        }, timeout);
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, timeout);
        return Convert.FromBase64String((string)shot["data"]!);
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        var answer = await reply.Task.WaitAsync(timeout);
        if (answer["error"] is { } error) throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
        return answer["result"] ?? new JsonObject();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var r = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                var node = JsonNode.Parse(message.ToArray())!;
                message.SetLength(0);
                if (node["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var reply)) reply.TrySetResult(node);
                else if (node["method"] is { } method) OnEvent((string)method!, node["params"]);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
        catch (WebSocketException) { }
    }

    private void OnEvent(string method, JsonNode? p)
    {
        if (method == "Page.loadEventFired")
        {
            _loaded.TrySetResult();
            return;
        }
        if (method == "Runtime.exceptionThrown")
        {
            Problems.Enqueue($"uncaught exception: {p?["exceptionDetails"]?.ToJsonString()}");
            return;
        }
        var type = method == "Runtime.consoleAPICalled" ? (string?)p?["type"] : null;
        if (type is "error" or "warning" or "assert")
            Problems.Enqueue($"console.{type}: {p?["args"]?.ToJsonString()}");
        var entry = method == "Log.entryAdded" ? p?["entry"] : null;
        var level = (string?)entry?["level"];
        if (level is "error" or "warning")
            Problems.Enqueue($"log {level}: {(string?)entry?["text"]} ({(string?)entry?["url"]})");
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try { while (await reader.ReadLineAsync() is not null) { } }
        catch (ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try { await _receiving; } catch (Exception) { }
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception) { }
        _process.Dispose();
        try { Directory.Delete(_profile, true); } catch (IOException) { }
        _stop.Dispose();
    }
}
