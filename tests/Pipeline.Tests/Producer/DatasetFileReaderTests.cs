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
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"level\": \"hard\"}", 1, "level", "expected a whole number or \"Level N\"")]
    [InlineData("{\"problem\": \"a\", \"answer\": \"1\", \"unique_id\": \"x\"}\n{\"problem\": \"b\", \"answer\": \"2\", \"unique_id\": \"x\"}", 2, "unique_id", "already used on line 1")]
    [InlineData("[1, 2]", 1, null, "one JSON object")]
    [InlineData("{\"question\": \"q\", \"answer\": \"4\"}", 1, "problem", "is this a GSM8K file?")]
    public void A_bad_math_line_is_reported_with_file_line_and_field(string text, int line, string? field, string message)
    {
        var error = Fails(text, DatasetFormat.Math).Errors[0];
        Assert.Equal(("data.jsonl", line, field), (error.File, error.Line, error.Field));
        Assert.Contains(message, error.Message);
        Assert.StartsWith($"data.jsonl:{line}: ", error.ToString());
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
