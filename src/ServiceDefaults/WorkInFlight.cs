namespace Pipeline.ServiceDefaults;

/// <summary>The batches this worker runs now, which its <see cref="Pipeline.Contracts.WorkerHeartbeat"/> reports:
/// while a batch takes longer than the Aggregator's AcceptTimeoutSeconds, no round is accepted, and only this tells
/// the recovery sweep that the rounds queued behind it are slow rather than lost. A consumer wraps each batch in
/// <see cref="Begin"/>; the heartbeat reads <see cref="Snapshot"/> on its own timer, so a long batch never holds it up.</summary>
public sealed class WorkInFlight
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, (int Rounds, DateTime Since)> _batches = [];
    private long _next;

    /// <summary>A batch of <paramref name="rounds"/> rounds starts now; disposing the result ends it (also when it throws).</summary>
    public IDisposable Begin(int rounds)
    {
        lock (_lock)
        {
            var id = _next++;
            _batches[id] = (rounds, DateTime.UtcNow);
            return new Batch(this, id);
        }
    }

    /// <summary>Rounds in all running batches and when the oldest started (UTC, this machine's clock); (0, null) when idle.</summary>
    public (int Rounds, DateTime? Since) Snapshot()
    {
        lock (_lock)
        {
            if (_batches.Count == 0) return (0, null);
            return (_batches.Values.Sum(b => b.Rounds), _batches.Values.Min(b => b.Since));
        }
    }

    private void End(long id)
    {
        lock (_lock) _batches.Remove(id);
    }

    private sealed class Batch(WorkInFlight owner, long id) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) owner.End(id);
        }
    }
}
