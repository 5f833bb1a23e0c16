namespace Pipeline.ServiceDefaults;

/// <summary>How long the messages of one worker batch waited between their publish and the start of the batch:
/// broker queue, prefetch buffer and the batch filling up. The workers log it per batch so a run's time can be
/// split into waiting and computing (scripts/gpu/pipeline_run.sh). Pure.</summary>
public readonly record struct QueueWait(double MeanMs, double MaxMs, int Messages)
{
    /// <param name="sentTimes">Each message's SentTime (UTC; null when the sender set none: not counted).</param>
    /// <param name="startedUtc">When the batch started.</param>
    public static QueueWait Of(IEnumerable<DateTime?> sentTimes, DateTime startedUtc)
    {
        // clocks of one machine; a negative wait is the publisher's timestamp rounding, not time travel
        var waits = sentTimes.OfType<DateTime>().Select(t => Math.Max(0, (startedUtc - t).TotalMilliseconds)).ToList();
        return waits.Count == 0 ? new(0, 0, 0) : new(waits.Average(), waits.Max(), waits.Count);
    }
}
