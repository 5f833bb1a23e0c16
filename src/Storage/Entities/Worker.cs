namespace Pipeline.Storage.Entities;

/// <summary>The latest heartbeat of one worker process for one model it serves (table <c>workers</c>); written by
/// the Aggregator (<see cref="Pipeline.Storage.Workers.WorkerStore"/>), read by <c>run submit</c> and <c>run status</c>.</summary>
public sealed class Worker
{
    public required string WorkerId { get; set; }
    public required string Model { get; set; }
    public required string Role { get; set; }
    public required string ModelSlot { get; set; }
    public required string ManifestPath { get; set; }
    public required string Device { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime SentAt { get; set; }
    public DateTime LastSeenAt { get; set; }
    public double IntervalSeconds { get; set; }
    public int RoundsInFlight { get; set; }
    public DateTime? BusySince { get; set; }
}
