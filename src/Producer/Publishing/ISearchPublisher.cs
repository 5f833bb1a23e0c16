using Pipeline.Contracts;

namespace Pipeline.Producer.Publishing;

/// <summary>Sends <see cref="SearchRequested"/> messages; a seam so tests and other transports can stand in.</summary>
public interface ISearchPublisher
{
    Task PublishAsync(IReadOnlyList<SearchRequested> messages, CancellationToken ct);
}
