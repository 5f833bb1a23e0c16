using System.Text.Json.Nodes;

namespace Pipeline.Tests.Reports;

/// <summary>Opens a report.html in headless Chromium from its file and says what a reader would see wrong.</summary>
public static class ReportInBrowser
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Images in the page, broken images, console problems; the screenshot is written beside the report.</summary>
    public sealed record Result(int Images, IReadOnlyList<string> BrokenImages, IReadOnlyList<string> Problems, int Tables, string Screenshot);

    public static async Task<Result> CheckAsync(string htmlPath)
    {
        await using var chromium = await HeadlessChromium.StartAsync(Timeout);
        await chromium.OpenAsync(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri, Timeout);
        var images = (await chromium.EvaluateAsync("document.images.length", Timeout))!.GetValue<double>();
        // complete && naturalWidth > 0: decoded, not the broken-image placeholder
        var broken = (await chromium.EvaluateAsync(
            "JSON.stringify([...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt))", Timeout))!.GetValue<string>();
        var tables = (await chromium.EvaluateAsync("document.querySelectorAll('table').length", Timeout))!.GetValue<double>();
        var shot = await chromium.ScreenshotAsync(1200, Timeout);
        var screenshot = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(htmlPath))!, "screenshot.png");
        await File.WriteAllBytesAsync(screenshot, shot);
        await Task.Delay(200); // console events that trail the last command
        return new Result((int)images, JsonNode.Parse(broken)!.AsArray().Select(n => (string)n!).ToList(), chromium.Problems.ToList(), (int)tables, screenshot);
    }
}
