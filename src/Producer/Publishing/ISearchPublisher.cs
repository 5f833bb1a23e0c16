using Pipeline.Contracts;

namespace Pipeline.Producer.Publishing;

/// <summary>Sends <see cref="SearchRequested"/> messages; a seam so tests and other transports can stand in.</summary>
public interface ISearchPublisher
{
    /// <summary>Connects to the broker, or fails within seconds with a <see cref="Infrastructure.CliException"/>
    /// saying why: commands call it before they write anything, so a broker that is down costs no half-made run.</summary>
    Task ConnectAsync(CancellationToken ct);

    /// <summary>Publishes every message with publisher confirms (connecting first if needed), then disconnects.</summary>
    Task PublishAsync(IReadOnlyList<SearchRequested> messages, CancellationToken ct);
}
