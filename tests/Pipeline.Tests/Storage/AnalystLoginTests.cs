using System.Security.Cryptography;
using Npgsql;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Storage;

/// <summary>What docs/schema.md tells an analyst to do: a login role in pipeline_analyst, with a password.
/// It logs in over TCP like any client, reads tables and views, and can change nothing.</summary>
public sealed class AnalystLoginTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    [Fact]
    public async Task An_analyst_login_needs_its_password_reads_tables_and_views_and_cannot_write_or_create()
    {
        var datasetId = await Seed.DatasetAsync(database.DataSource, "analysed", ("a", 1), ("b", 2));
        var runId = await Seed.RunAsync(database.DataSource, datasetId);
        await Seed.SearchesAsync(database.DataSource, runId, "best_of_n", 4);

        var role = $"analyst_{Guid.NewGuid():N}"[..20];
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await Admin($"CREATE ROLE {role} LOGIN PASSWORD '{password}' IN ROLE pipeline_analyst");
        try
        {
            var login = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Password = password, Pooling = false };

            // a password that is not the role's is refused (a trust-auth server would let it in)
            var wrong = new NpgsqlConnectionStringBuilder(login.ConnectionString) { Password = password + "x" };
            await using (var c = new NpgsqlConnection(wrong.ConnectionString))
            {
                var error = await Record.ExceptionAsync(() => c.OpenAsync());
                Assert.True(error is PostgresException { SqlState: PostgresErrorCodes.InvalidPassword },
                    error is null
                        ? "PostgreSQL let a wrong password in: trust authentication makes the analyst role protect nothing (restart the servers with scripts/services.sh)"
                        : $"a wrong password failed with {error.GetType().Name}: {error.Message}; expected 28P01");
            }

            await using var analyst = new NpgsqlConnection(login.ConnectionString);
            await analyst.OpenAsync();
            Assert.Equal(role, await Scalar<string>(analyst, "SELECT current_user"));
            Assert.Equal(2L, await Scalar<long>(analyst, $"SELECT count(*) FROM pipeline.problems WHERE dataset_id = {datasetId}"));
            Assert.Equal(2L, await Scalar<long>(analyst, $"SELECT count(*) FROM pipeline.searches WHERE run_id = '{runId}'"));
            Assert.Equal(2L, await Scalar<long>(analyst, $"SELECT searches FROM pipeline.run_progress WHERE run_id = '{runId}'"));
            // every view of the schema, whatever migrations added them (no outcomes yet: empty, but readable)
            var views = new List<string>();
            await using (var cmd = new NpgsqlCommand("SELECT table_name FROM information_schema.views WHERE table_schema = 'pipeline' ORDER BY 1", analyst))
            await using (var reader = await cmd.ExecuteReaderAsync())
                while (await reader.ReadAsync()) views.Add(reader.GetString(0));
            Assert.Contains("accuracy_by_budget", views);
            Assert.Contains("compute_optimal_cv", views);
            foreach (var view in views)
                Assert.True(await Scalar<long>(analyst, $"SELECT count(*) FROM pipeline.{view}") >= 0);

            foreach (var write in new[]
            {
                "INSERT INTO pipeline.datasets (name, format, source_file, problem_count, imported_at) VALUES ('x', 'math', 'x', 0, now())",
                $"UPDATE pipeline.problems SET answer = '2' WHERE dataset_id = {datasetId}",
                $"DELETE FROM pipeline.searches WHERE run_id = '{runId}'",
                "TRUNCATE pipeline.outcomes",
                "CREATE TABLE pipeline.analyst_scratch (x int)",
                "CREATE TABLE public.analyst_scratch (x int)",
                "CREATE SCHEMA analyst_scratch",
            })
            {
                await using var cmd = new NpgsqlCommand(write, analyst);
                var denied = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
                Assert.True(denied.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{write}: {denied.SqlState} {denied.MessageText}");
            }
            Assert.Equal(2, await Seed.ScalarAsync(database.DataSource, $"SELECT count(*) FROM pipeline.searches WHERE run_id = '{runId}'"));
        }
        finally
        {
            await Admin($"DROP ROLE IF EXISTS {role}");
        }
    }

    private async Task Admin(string sql)
    {
        await using var cmd = database.DataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
