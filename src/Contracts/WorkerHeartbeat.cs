namespace Pipeline.Contracts;

/// <summary>Worker -> Aggregator, at start and every <paramref name="IntervalSeconds"/>: this process is up and
/// serves these models. The Aggregator keeps the latest per worker and model in table <c>workers</c>; a worker is
/// alive while its last heartbeat is younger than three intervals, which <c>run submit</c> and <c>run status</c> read.
/// <paramref name="WorkerId"/> is host:pid; <paramref name="Role"/> is "proposal" or "verifier"; <paramref name="Device"/>
/// is where the models run (cpu, cuda:N, synthetic). Times are the worker's clock, UTC.
/// <paramref name="RoundsInFlight"/> counts the rounds of the batches the worker is running now (0 when idle) and
/// <paramref name="BusySince"/> is when the oldest of them started (null when idle): the recovery sweep does not take
/// a round for lost merely because nothing was accepted while a worker is busy on one long batch. Both default so
/// a heartbeat from a worker built before them still reads (as idle).</summary>
public sealed record WorkerHeartbeat(
    string WorkerId,
    string Role,
    IReadOnlyList<ServedModel> Models,
    string Device,
    DateTime StartedAt,
    DateTime SentAt,
    double IntervalSeconds,
    int RoundsInFlight = 0,
    DateTime? BusySince = null);
