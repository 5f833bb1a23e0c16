namespace Pipeline.Tests.Producer;

public sealed class GradeCommandTests
{
    [Fact]
    public async Task Grade_writes_one_verdict_per_line_and_fails_when_a_line_is_unreadable()
    {
        using var dir = new Cli.TempDir();
        var input = dir.File("in.jsonl", "{\"gold\": \"\\\\frac{1}{2}\", \"pred\": \"0.5\"}\n{\"gold\": \"3\", \"pred\": \"4\"}\n");
        var output = Path.Combine(dir.Path, "out.jsonl");
        var r = await Cli.RunAsync(new Dictionary<string, string?>(), "grade", input, "-o", output);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("graded 2 lines: 1 equal, 1 different, 0 unreadable", r.Output);
        Assert.Equal(["{\"equal\":true}", "{\"equal\":false}"], File.ReadAllLines(output));

        var bad = dir.File("bad.jsonl", "{\"gold\": \"3\"}\n");
        r = await Cli.RunAsync(new Dictionary<string, string?>(), "grade", bad, "-o", output);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("1 unreadable", r.Output);
    }
}
