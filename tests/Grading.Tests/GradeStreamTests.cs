using System.Text.Json;

namespace Pipeline.Grading.Tests;

/// <summary>The function behind the <c>pipeline grade</c> verb (issue 5, part 4).</summary>
public sealed class GradeStreamTests
{
    private static async Task<(string[] lines, GradeStreamSummary summary)> Run(string input)
    {
        var output = new StringWriter();
        var summary = await GradeStream.RunAsync(new StringReader(input), output, CancellationToken.None);
        return (output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray(), summary);
    }

    [Fact]
    public async Task Writes_one_verdict_per_line_in_order()
    {
        var input = string.Join("\n",
            """{"gold": "0.5", "pred": "\\frac{1}{2}"}""",
            """{"gold": "7425000", "pred": "7,425,000"}""",
            """{"gold": "(1,2)", "pred": "(2,1)"}""",
            """{"gold": 18, "pred": "\\$18.00"}""",
            "",
            """{"pred": "3", "gold": "x=3"}""");
        var (lines, summary) = await Run(input);
        Assert.Equal(["""{"equal":true}""", """{"equal":true}""", """{"equal":false}""", """{"equal":true}""", """{"equal":true}"""], lines);
        Assert.Equal(new GradeStreamSummary(5, 4, 0), summary);
    }

    [Fact]
    public async Task Bad_lines_get_an_error_naming_line_and_field_and_keep_alignment()
    {
        var input = string.Join("\n",
            """{"gold": "1", "pred": "1"}""",
            """{"gold": "1"}""",
            "not json",
            """{"gold": ["1"], "pred": "1"}""",
            """[1, 2]""",
            """{"gold": "2", "pred": "3"}""");
        var (lines, summary) = await Run(input);
        Assert.Equal(6, lines.Length);
        Assert.Equal("""{"equal":true}""", lines[0]);
        Assert.Contains("line 2: field \\u0022pred\\u0022 is missing", lines[1]);
        Assert.Contains("line 3: not valid JSON", lines[2]);
        Assert.Contains("line 4: field \\u0022gold\\u0022 must be a string or a number", lines[3]);
        Assert.Contains("line 5: expected a JSON object", lines[4]);
        Assert.Equal("""{"equal":false}""", lines[5]);
        // Every output line, error or not, is JSON with an "equal" field.
        foreach (var l in lines.Skip(1))
        {
            using var doc = JsonDocument.Parse(l);
            Assert.False(doc.RootElement.GetProperty("equal").GetBoolean());
        }
        Assert.Equal(new GradeStreamSummary(6, 1, 4), summary);
    }

    [Fact]
    public async Task Whole_corpus_file_graded_through_the_stream_matches_the_direct_calls()
    {
        var cases = MathVerifyCorpusTests.LoadCases();
        var grader = new MathAnswerGrader();
        var input = string.Join("\n", cases.Select(c => JsonSerializer.Serialize(new { gold = c.Gold, pred = c.Pred })));
        var (lines, summary) = await Run(input);
        Assert.Equal(cases.Count, lines.Length);
        for (var i = 0; i < cases.Count; i++)
            Assert.Equal(grader.IsEquivalent(grader.ExtractAnswer(cases[i].Gold) ?? cases[i].Gold, grader.ExtractAnswer(cases[i].Pred) ?? cases[i].Pred), JsonDocument.Parse(lines[i]).RootElement.GetProperty("equal").GetBoolean());
        Assert.Equal(0, summary.Errors);
    }

    [Fact]
    public async Task Honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            GradeStream.RunAsync(new StringReader("""{"gold":"1","pred":"1"}"""), new StringWriter(), cts.Token));
    }

    [Fact]
    public async Task Grades_whole_solution_texts_and_agrees_with_math_verify_on_its_published_cases()
    {
        // As a new user would run `pipeline grade`: Math-Verify's published gold/pred pairs, solution texts and all, as JSON lines.
        var cases = MathVerifyCorpusTests.LoadCases(MathVerifyCorpusTests.PublishedHeldOut);
        var input = string.Join("\n", cases.Select(c => JsonSerializer.Serialize(new { gold = c.Gold, pred = c.Pred })));
        var (lines, summary) = await Run(input);
        Assert.Equal(cases.Count, lines.Length);
        Assert.Equal(0, summary.Errors);
        var verdicts = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("equal").GetBoolean()).ToList();
        var agree = cases.Zip(verdicts).Count(x => x.First.Expected == x.Second);
        var falseEqual = cases.Zip(verdicts).Count(x => !x.First.Expected && x.Second);
        Assert.True(agree >= 0.95 * cases.Count, $"{agree}/{cases.Count}");
        Assert.Equal(0, falseEqual);
    }
}
