using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Storage;

namespace Pipeline.Tests.Producer;

public sealed class DatasetImportCommandTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(Cli.Config(database), args);

    private Task<long> Count(string sql) => Seed.ScalarAsync(database.DataSource, sql);

    [Fact]
    public async Task Math_and_gsm8k_files_import_with_their_fields_and_a_second_import_changes_nothing()
    {
        using var dir = new Cli.TempDir();
        var math = dir.File("m.jsonl", """
            {"problem": "1+1?", "solution": "$\\boxed{2}$", "answer": "2", "subject": "Arithmetic", "level": 1, "unique_id": "m/1"}
            {"problem": "2*3?", "solution": "$\\boxed{6}$", "answer": "6", "subject": "Arithmetic", "level": 3, "unique_id": "m/2"}
            """);
        var gsm = dir.File("g.jsonl", "{\"question\": \"3 ducks + 2?\", \"answer\": \"3+2=5\\n#### 5\"}\n");

        var r = await Run("dataset", "import", math, "--format", "math", "--name", "tiny");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("imported 2 problems into dataset tiny", r.Output);
        Assert.Contains("L1: 1, L3: 1", r.Output);
        r = await Run("dataset", "import", gsm, "--format", "gsm8k");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("dataset g ", r.Output);

        Assert.Equal(4, await Count("SELECT sum(level) FROM pipeline.problems p JOIN pipeline.datasets d USING (dataset_id) WHERE d.name = 'tiny'"));
        Assert.Equal(1, await Count("SELECT count(*) FROM pipeline.problems p JOIN pipeline.datasets d USING (dataset_id) WHERE d.name = 'g' AND answer = '5' AND solution = '3+2=5' AND unique_id = 'line-1'"));
        Assert.Equal(1, await Count("SELECT count(*) FROM pipeline.datasets WHERE name = 'g' AND format = 'gsm8k' AND problem_count = 1"));

        r = await Run("dataset", "import", math, "--format", "math", "--name", "tiny");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("already holds these 2 problems: nothing to do", r.Output);
        Assert.Equal(3, await Count("SELECT count(*) FROM pipeline.problems"));

        r = await Run("dataset", "list");
        Assert.Contains("tiny", r.Output);
    }

    [Theory]
    [InlineData("{\"problem\": \"b\", \"answer\": ", "bad.jsonl:3:28: not valid JSON (Expected")]
    [InlineData("{\"problem\": \"b\"}", "bad.jsonl:3: field 'answer': missing")]
    [InlineData("{\"problem\": \"b\", \"answer\": \"1\", \"level\": [1]}", "bad.jsonl:3: field 'level': expected a level from 1 to 5, got an array")]
    [InlineData("{\"problem\": \"b\", \"answer\": \"1\", \"level\": 0}", "bad.jsonl:3: field 'level': expected a level from 1 to 5, got 0")]
    [InlineData("{\"problem\": \"b\", \"answer\": \"1\", \"level\": 6}", "bad.jsonl:3: field 'level': expected a level from 1 to 5, got 6")]
    [InlineData("{\"problem\": \"b\", \"answer\": \"1\", \"level\": \"x\"}", "bad.jsonl:3: field 'level': expected a level from 1 to 5 (a number or \"Level N\"), got \"x\"")]
    [InlineData("{\"problem\": \"b\" \"answer\": \"1\"}", "bad.jsonl:3:17: not valid JSON ('\"' is invalid after a value.")]
    public async Task One_bad_row_imports_nothing_of_the_file_and_names_file_line_and_field(string badLine, string expected)
    {
        using var dir = new Cli.TempDir();
        var file = dir.File("bad.jsonl", "{\"problem\": \"a\", \"answer\": \"1\"}\n\n" + badLine + "\n{\"problem\": \"c\", \"answer\": \"3\"}\n");
        var name = $"bad{Guid.NewGuid():N}";
        var r = await Run("dataset", "import", file, "--format", "math", "--name", name);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Output.Replace(dir.Path + "/", ""));
        Assert.DoesNotContain("LineNumber", r.Output);
        Assert.Equal(0, await Count($"SELECT count(*) FROM pipeline.datasets WHERE name = '{name}'"));
    }

    [Fact]
    public async Task A_file_with_invalid_utf8_imports_nothing_and_names_file_line_and_column()
    {
        using var dir = new Cli.TempDir();
        var file = Path.Combine(dir.Path, "latin1.jsonl");
        // a Latin-1 export: "é" as the single byte 0xE9 on line 2, valid lines around it
        File.WriteAllBytes(file, [.. "{\"problem\": \"a\", \"answer\": \"1\"}\n{\"problem\": \"caf"u8, 0xE9, .. "\", \"answer\": \"2\"}\n{\"problem\": \"c\", \"answer\": \"3\"}\n"u8]);
        var name = $"latin{Guid.NewGuid():N}";
        var r = await Run("dataset", "import", file, "--format", "math", "--name", name);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{file}:2:17: not valid UTF-8 (byte 0xE9); save the file as UTF-8", r.Output);
        Assert.Contains("nothing was imported", r.Output);
        Assert.Equal(0, await Count($"SELECT count(*) FROM pipeline.datasets WHERE name = '{name}'"));
        Assert.Equal(0, await Count("SELECT count(*) FROM pipeline.problems WHERE problem LIKE '%\uFFFD%' OR problem LIKE 'caf%'"));
    }

    [Fact]
    public async Task A_directory_is_not_a_missing_file()
    {
        using var dir = new Cli.TempDir();
        var r = await Run("dataset", "import", dir.Path, "--format", "math");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{dir.Path}: is a directory, not a file", r.Output);
        r = await Run("dataset", "import", Path.Combine(dir.Path, "missing.jsonl"), "--format", "math");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{Path.Combine(dir.Path, "missing.jsonl")}: file not found", r.Output);
        Assert.Equal(0, await Count("SELECT count(*) FROM pipeline.datasets WHERE name IN ('missing', '" + Path.GetFileName(dir.Path) + "')"));
    }

    [Fact]
    public async Task A_name_taken_by_other_content_is_refused()
    {
        using var dir = new Cli.TempDir();
        Assert.Equal(0, (await Run("dataset", "import", dir.File("a.jsonl", "{\"problem\": \"a\", \"answer\": \"1\"}"), "-f", "math", "-n", "taken")).ExitCode);
        var r = await Run("dataset", "import", dir.File("b.jsonl", "{\"problem\": \"a\", \"answer\": \"2\"}"), "-f", "math", "-n", "taken");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("dataset 'taken' already exists", r.Output);
    }

    [Fact]
    public async Task A_wrong_format_option_is_a_usage_error()
    {
        var r = await Run("dataset", "import", "x.jsonl", "--format", "csv");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--format 'csv' is not one of: math, gsm8k", r.Output);
    }

    [SkippableFact]
    public async Task The_real_math500_and_gsm8k_test_files_import_completely()
    {
        var math = SharedDataFiles.Require("math500_test.jsonl");
        var gsm = SharedDataFiles.Require("gsm8k_test.jsonl");
        var r = await Run("dataset", "import", math, "--format", "math", "--name", "math500");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("imported 500 problems", r.Output);
        r = await Run("dataset", "import", gsm, "--format", "gsm8k", "--name", "gsm8k");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("imported 1319 problems", r.Output);
        Assert.Equal(500, await Count("SELECT count(*) FROM pipeline.problems p JOIN pipeline.datasets d USING (dataset_id) WHERE d.name = 'math500' AND level BETWEEN 1 AND 5 AND unique_id LIKE 'test/%'"));
        Assert.Equal(0, await Count("SELECT count(*) FROM pipeline.problems p JOIN pipeline.datasets d USING (dataset_id) WHERE d.name = 'gsm8k' AND (answer LIKE '%#%' OR answer = '')"));
    }
}
