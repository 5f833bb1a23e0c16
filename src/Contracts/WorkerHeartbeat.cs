namespace Pipeline.Contracts;

/// <summary>Worker -> Aggregator, at start and every <paramref name="IntervalSeconds"/>: this process is up and
/// serves these models. The Aggregator keeps the latest per worker and model in table <c>workers</c>; a worker is
/// alive while its last heartbeat is younger than three intervals, which <c>run submit</c> and <c>run status</c> read.
/// <paramref name="WorkerId"/> is host:pid; <paramref name="Role"/> is "proposal" or "verifier"; <paramref name="Device"/>
/// is where the models run (cpu, cuda:N, synthetic). Times are the worker's clock, UTC.</summary>
public sealed record WorkerHeartbeat(
    string WorkerId,
    string Role,
    IReadOnlyList<ServedModel> Models,
    string Device,
    DateTime StartedAt,
    DateTime SentAt,
    double IntervalSeconds);
