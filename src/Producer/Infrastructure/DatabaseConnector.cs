using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Storage;

namespace Pipeline.Producer.Infrastructure;

/// <summary>One <see cref="NpgsqlDataSource"/> per connection string for the life of the command.</summary>
public sealed class DatabaseConnector(IOptions<PipelineConnectionOptions> options) : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);

    /// <param name="connectionOverride">The command's --connection, which wins over ConnectionStrings__Pipeline.</param>
    public NpgsqlDataSource Get(string? connectionOverride)
    {
        var cs = string.IsNullOrWhiteSpace(connectionOverride) ? options.Value.Pipeline : connectionOverride;
        if (string.IsNullOrWhiteSpace(cs))
            throw new CliException(
                "no database connection: set ConnectionStrings__Pipeline (eval \"$(scripts/services.sh env)\" for the local servers) or pass --connection");
        lock (_sources)
        {
            if (!_sources.TryGetValue(cs, out var source))
                _sources[cs] = source = NpgsqlDataSource.Create(cs);
            return source;
        }
    }

    // Spectre.Console.Cli disposes the container synchronously.
    public void Dispose()
    {
        foreach (var s in _sources.Values) s.Dispose();
        _sources.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sources.Values) await s.DisposeAsync();
        _sources.Clear();
    }
}
