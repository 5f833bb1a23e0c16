using Pipeline.Producer.Datasets;
using Pipeline.Producer.Infrastructure;
using Pipeline.Storage;

namespace Pipeline.Tests.Producer;

public sealed class DatasetFileReaderTests
{
    private static IReadOnlyList<ProblemRow> Read(string text, DatasetFormat format) =>
        DatasetFileReader.Read(new StringReader(text), "data.jsonl", format);

    private static InputException Fails(string text, DatasetFormat format) =>
        Assert.Throws<InputException>(() => Read(text, format));

    [Fact]
    public void Math_lines_keep_every_field_and_accept_Level_N_strings_and_blank_lines()
    {
        var rows = Read("""
            {"problem": "What is $1+1$?", "solution": "It is $\\boxed{2}$.", "answer": "2", "subject": "Algebra", "level": 2, "unique_id": "test/algebra/1.json"}

            {"problem": "Q2", "answer": "\\frac{1}{2}", "level": "Level 5"}
            {"problem": "Q3", "answer": 7, "level": "Level ?"}
            """, DatasetFormat.Math);
        Assert.Equal(new ProblemRow(0, "test/algebra/1.json", "What is $1+1$?", "It is $\\boxed{2}$.", "2", "Algebra", 2), rows[0]);
        Assert.Equal(new ProblemRow(1, "line-3", "Q2", null, "\\frac{1}{2}", null, 5), rows[1]);
        Assert.Equal(new ProblemRow(2, "line-4", "Q3", null, "7", null, null), rows[2]);
    }

    [Fact]
    public void Gsm8k_answers_split_at_the_last_hashes_into_worked_solution_and_final_answer()
    {
        var rows = Read("""
            {"question": "Janet has 3 ducks and buys 2. How many?", "answer": "3 + 2 = <<3+2=5>>5\n#### 5"}
            {"question": "Big?", "answer": "#### 1,000"}
            """, DatasetFormat.Gsm8k);
        Assert.Equal(new ProblemRow(0, "line-1", "Janet has 3 ducks and buys 2. How many?", "3 + 2 = <<3+2=5>>5", "5", null, null), rows[0]);
        Assert.Equal(new ProblemRow(1, "line-2", "Big?", null, "1,000", null, null), rows[1]);
    }

    [Theory]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\"}\n{\"problem\": \"b\", \"answer\": ", 2, null, "not valid JSON")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\"}\n{\"problem\": \"b\"}", 2, "answer", "missing")]
    [InlineData("{\"problem\": 5, \"answer\": \"1\"}", 1, "problem", "expected a string, got a number")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"level\": \"hard\"}", 1, "level", "expected a level from 1 to 5 (a number or \"Level N\"), got \"hard\"")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"level\": \"x\"}", 1, "level", "got \"x\"")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"level\": 0}", 1, "level", "expected a level from 1 to 5, got 0")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\"}\n{\"problem\": \"b\", \"answer\": \"1\", \"level\": 6}", 2, "level", "expected a level from 1 to 5, got 6")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"level\": \"Level 6\"}", 1, "level", "got \"Level 6\"")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"level\": -1}", 1, "level", "got -1")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"level\": 2.5}", 1, "level", "got 2.5")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"unique_id\": \"x\"}\n{\"problem\": \"b\", \"answer\": \"2\", \"unique_id\": \"x\"}", 2, "unique_id", "already used on line 1")]
    [InlineData("[1, 2]", 1, null, "one JSON object")]
    [InlineData("{\"question\": \"q\", \"answer\": \"4\"}", 1, "problem", "is this a GSM8K file?")]
    public void A_bad_math_line_is_reported_with_file_line_and_field(string text, int line, string? field, string message)
    {
        var error = Fails(text, DatasetFormat.Math).Errors[0];
        Assert.Equal(("data.jsonl", line, field), (error.File, error.Line, error.Field));
        Assert.Contains(message, error.Message);
        Assert.StartsWith($"data.jsonl:{line}:", error.ToString());
    }

    [Fact]
    public void Malformed_json_names_line_and_character_column_without_the_parsers_zero_based_position()
    {
        var error = Fails("{\"problem\": \"a\", \"answer\": \"1\"}\n{\"problem\": \"é\", \"answer\": }", DatasetFormat.Math).Errors[0];
        Assert.Equal(("data.jsonl", 2, 28), (error.File, error.Line, error.Column));
        Assert.Equal("data.jsonl:2:28: not valid JSON ('}' is an invalid start of a value.)", error.ToString());
        Assert.DoesNotContain("LineNumber", error.ToString());
    }

    private static IReadOnlyList<ProblemRow> ReadBytes(byte[] bytes) =>
        DatasetFileReader.Read(new MemoryStream(bytes), "data.jsonl", DatasetFormat.Math);

    [Fact]
    public void Invalid_utf8_is_refused_at_its_line_and_column_and_no_row_is_returned()
    {
        var bytes = "{\"problem\": \"ok\", \"answer\": \"1\"}\n{\"problem\": \"caf"u8.ToArray()
            .Concat(new byte[] { 0xE9 })   // Latin-1 é: not UTF-8
            .Concat("\", \"answer\": \"2\"}\n{\"problem\": \"x\", \"answer\": \"3\"}\n"u8.ToArray()).ToArray();
        var errors = Assert.Throws<InputException>(() => ReadBytes(bytes)).Errors;
        Assert.Equal("data.jsonl:2:17: not valid UTF-8 (byte 0xE9); save the file as UTF-8", errors[0].ToString());
        Assert.Equal("data.jsonl: 1 bad line(s); nothing was imported", errors[^1].ToString());
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void A_bad_byte_far_into_a_big_file_is_reported_on_its_own_line()
    {
        // more than any reader buffer: the line number must come from the line, not from the chunk decoded
        var good = string.Concat(Enumerable.Range(0, 3000).Select(i => $"{{\"problem\": \"p{i} é ∑\", \"answer\": \"{i}\"}}\n"));
        var bytes = System.Text.Encoding.UTF8.GetBytes(good).Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();
        var error = Assert.Throws<InputException>(() => ReadBytes(bytes)).Errors[0];
        Assert.Equal((3001, 1), (error.Line, error.Column));
        Assert.Contains("byte 0xC3", error.Message);
    }

    [Fact]
    public void Utf8_with_a_bom_and_crlf_line_ends_reads_like_plain_utf8()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat("{\"problem\": \"Wie viel ist ½?\", \"answer\": \"1\", \"level\": 1}\r\n\r\n{\"problem\": \"b\", \"answer\": \"2\"}"u8.ToArray()).ToArray();
        var rows = ReadBytes(bytes);
        Assert.Equal(["Wie viel ist ½?", "b"], rows.Select(r => r.Problem));
        Assert.Equal("line-3", rows[1].UniqueId);
    }

    [Fact]
    public void A_gsm8k_answer_without_hashes_names_the_answer_field()
    {
        var error = Fails("{\"question\": \"q\", \"answer\": \"4\"}", DatasetFormat.Gsm8k).Errors[0];
        Assert.Equal("data.jsonl:1: field 'answer': has no '####' before the final answer", error.ToString());
    }

    [Fact]
    public void Every_bad_line_is_listed_up_to_the_cap_then_a_summary()
    {
        var text = string.Join("\n", Enumerable.Range(0, 50).Select(i => "{\"answer\": \"1\"}"));
        var errors = Fails(text, DatasetFormat.Math).Errors;
        Assert.Equal(DatasetFileReader.MaxErrors + 1, errors.Count);
        Assert.Equal(Enumerable.Range(1, DatasetFileReader.MaxErrors), errors.Take(DatasetFileReader.MaxErrors).Select(e => e.Line));
        Assert.Contains("nothing was imported", errors[^1].Message);
    }

    [Fact]
    public void An_empty_file_is_an_error() =>
        Assert.Contains("no problems", Fails("\n\n", DatasetFormat.Math).Errors[0].Message);
}
