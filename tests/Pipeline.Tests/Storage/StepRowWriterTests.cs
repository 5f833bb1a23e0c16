using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Storage;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Storage;

public sealed class StepRowWriterTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    private async Task<long> NewSearchAsync()
    {
        var ds = await Seed.DatasetAsync(database.DataSource, $"d{Guid.NewGuid():N}", ("a", 1));
        var run = await Seed.RunAsync(database.DataSource, ds);
        return (await Seed.SearchesAsync(database.DataSource, run, "best_of_n", 4))[0];
    }

    private static Step Row(long search, long node, long? parent = null, int sample = 0, string text = "step", float? lookahead = null,
        FinishReason? finish = null, string? answer = null, bool? correct = null) =>
        StepRows.Of(search, node, parent, parent is null ? 1 : 2, 0, 0, sample, parent is null ? 0 : 1, text, parent is null ? 12 : 0, 7, 0,
            0.25f + node / 100f, lookahead, answer is not null, finish, answer, correct);

    [Fact]
    public async Task Rows_round_trip_with_nulls_and_a_redelivered_batch_inserts_nothing()
    {
        var search = await NewSearchAsync();
        Step[] rows =
        [
            Row(search, 1, text: "2+3=5"),
            Row(search, 2, parent: 1, text: "The answer is $\\boxed{5}$.", lookahead: 0.5f, finish: FinishReason.Eos, answer: "5", correct: true),
            Row(search, 3, sample: 1, text: "unicode ✓ and \"quotes\"\n"),
        ];
        await using var c = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(3, await StepRowWriter.WriteAsync(c, null, rows, CancellationToken.None));
        Assert.Equal(0, await StepRowWriter.WriteAsync(c, null, rows, CancellationToken.None));

        // read back through the EF model: its converters must read what COPY wrote
        await using var db = database.NewContext();
        var back = await db.Steps.AsNoTracking().Where(x => x.SearchId == search).OrderBy(x => x.NodeId).ToListAsync();
        Assert.Equivalent(rows, back, strict: true);
    }

    [Fact]
    public async Task A_partly_stored_batch_adds_only_the_new_rows_and_two_batches_in_one_transaction_both_land()
    {
        var search = await NewSearchAsync();
        await using var c = await database.DataSource.OpenConnectionAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            Assert.Equal(2, await StepRowWriter.WriteAsync(c, tx, [Row(search, 1), Row(search, 2, sample: 1)], CancellationToken.None));
            // the staging table is emptied between calls: the second call reports its own rows only
            Assert.Equal(1, await StepRowWriter.WriteAsync(c, tx, [Row(search, 2, sample: 1), Row(search, 3, sample: 2)], CancellationToken.None));
            await tx.CommitAsync();
        }
        Assert.Equal(3, await Seed.ScalarAsync(database.DataSource, $"SELECT count(*) FROM pipeline.steps WHERE search_id = {search}"));
    }

    [Fact]
    public async Task Rows_written_in_a_rolled_back_transaction_leave_nothing()
    {
        var search = await NewSearchAsync();
        await using var c = await database.DataSource.OpenConnectionAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            Assert.Equal(2, await StepRowWriter.WriteAsync(c, tx, [Row(search, 1), Row(search, 2, sample: 1)], CancellationToken.None));
            await tx.RollbackAsync();
        }
        Assert.Equal(0, await Seed.ScalarAsync(database.DataSource, $"SELECT count(*) FROM pipeline.steps WHERE search_id = {search}"));
        // and the connection is still usable for the next round
        Assert.Equal(1, await StepRowWriter.WriteAsync(c, null, [Row(search, 1)], CancellationToken.None));
    }

    [Fact]
    public async Task A_step_of_a_search_that_does_not_exist_is_refused_by_the_foreign_key()
    {
        await using var c = await database.DataSource.OpenConnectionAsync();
        var e = await Assert.ThrowsAsync<PostgresException>(() => StepRowWriter.WriteAsync(c, null, [Row(987654, 1)], CancellationToken.None));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, e.SqlState);
    }
}
