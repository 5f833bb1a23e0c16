using Pipeline.Contracts;

namespace Pipeline.ServiceDefaults;

/// <summary>What a worker announces about itself: its role, the models it serves and where they run.</summary>
public sealed record WorkerDescription(string Role, IReadOnlyList<ServedModel> Models, string Device);

/// <summary>Each worker says what it serves; <see cref="WorkerHeartbeatService"/> publishes it. Called once, after
/// the worker's models are loaded (a worker whose models fail to load announces nothing).</summary>
public interface IWorkerDescription
{
    WorkerDescription Describe();
}
