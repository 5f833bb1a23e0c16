namespace Pipeline.ServiceDefaults;

/// <summary>The batches this worker runs now, which its <see cref="Pipeline.Contracts.WorkerHeartbeat"/> reports:
/// while a batch takes longer than the Aggregator's AcceptTimeoutSeconds, no round is accepted, and only this tells
/// the recovery sweep that the rounds queued behind it are slow rather than lost. A consumer wraps each batch in
/// <see cref="Begin"/>; the heartbeat reads <see cref="Snapshot"/> on its own timer, so a long batch never holds it up.
/// Kept per role: in the combined worker a PRM batch must not make the proposal role look busy.</summary>
public sealed class WorkInFlight
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, (string Role, int Rounds, DateTime Since)> _batches = [];
    private long _next;

    /// <summary>A batch of <paramref name="rounds"/> rounds of <paramref name="role"/> starts now; disposing the result
    /// ends it (also when it throws).</summary>
    public IDisposable Begin(string role, int rounds)
    {
        lock (_lock)
        {
            var id = _next++;
            _batches[id] = (role, rounds, DateTime.UtcNow);
            return new Batch(this, id);
        }
    }

    /// <summary>Rounds in the role's running batches and when the oldest started (UTC, this machine's clock); (0, null)
    /// when the role is idle.</summary>
    public (int Rounds, DateTime? Since) Snapshot(string role)
    {
        lock (_lock)
        {
            var mine = _batches.Values.Where(b => b.Role == role).ToList();
            if (mine.Count == 0) return (0, null);
            return (mine.Sum(b => b.Rounds), mine.Min(b => b.Since));
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
