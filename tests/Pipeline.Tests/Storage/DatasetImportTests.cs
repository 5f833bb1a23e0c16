using Npgsql;
using Pipeline.Storage;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Storage;

public sealed class DatasetImportTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    private static ProblemRow[] Problems(string answerOfSecond = "4") =>
    [
        new(0, "u0", "1+1?", "sol", "2", "Arithmetic", 1),
        new(1, "u1", "2+2?", null, answerOfSecond, null, null),
    ];

    [Fact]
    public async Task Same_name_and_content_is_a_no_op_and_same_name_with_other_content_is_refused()
    {
        var first = await DatasetImport.ImportAsync(database.DataSource, "same", "math", "f.jsonl", Problems(), CancellationToken.None);
        Assert.Equal(DatasetImportOutcome.Imported, first.Outcome);
        var again = await DatasetImport.ImportAsync(database.DataSource, "same", "math", "other-path.jsonl", Problems(), CancellationToken.None);
        Assert.Equal((DatasetImportOutcome.AlreadyPresent, first.DatasetId, 2), (again.Outcome, again.DatasetId, again.ProblemCount));

        var e = await Assert.ThrowsAsync<DatasetConflictException>(() =>
            DatasetImport.ImportAsync(database.DataSource, "same", "math", "f.jsonl", Problems(answerOfSecond: "5"), CancellationToken.None));
        Assert.Contains("'same' already exists", e.Message);
        Assert.Equal(2, await Seed.ScalarAsync(database.DataSource, $"SELECT count(*) FROM pipeline.problems WHERE dataset_id = {first.DatasetId}"));
    }

    [Fact]
    public async Task A_failing_copy_leaves_no_dataset_row_behind()
    {
        ProblemRow[] duplicate = [new(0, "dup", "a", null, "1", null, null), new(1, "dup", "b", null, "2", null, null)];
        var e = await Assert.ThrowsAsync<PostgresException>(() =>
            DatasetImport.ImportAsync(database.DataSource, "broken", "math", "f.jsonl", duplicate, CancellationToken.None));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);
        Assert.Equal(0, await Seed.ScalarAsync(database.DataSource, "SELECT count(*) FROM pipeline.datasets WHERE name = 'broken'"));
    }
}
