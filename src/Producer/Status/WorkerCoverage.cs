using Pipeline.Contracts;
using Pipeline.Storage.Workers;

namespace Pipeline.Producer.Status;

/// <summary>A model a run names, in the run spec's slot (policy, prm, revision).</summary>
public sealed record RunModel(string Slot, string Name);

/// <summary>Which of a run's models no alive worker of the right role serves: what <c>run submit</c> warns about and
/// <c>run status</c> shows. Pure: the rows come from view <c>worker_status</c>, which decides liveness.</summary>
public static class WorkerCoverage
{
    public static IReadOnlyList<RunModel> Models(string policy, string prm, string? revision) =>
    [
        new(WorkerRoles.PolicySlot, policy),
        new(WorkerRoles.PrmSlot, prm),
        .. revision is null ? Array.Empty<RunModel>() : [new RunModel(WorkerRoles.RevisionSlot, revision)],
    ];

    /// <summary>The models with no alive worker of the role that serves their slot.</summary>
    public static IReadOnlyList<RunModel> Unserved(IReadOnlyList<RunModel> models, IReadOnlyList<WorkerStatusRow> workers) =>
        models.Where(m => !workers.Any(w => w.Alive && w.Model == m.Name && w.Role == WorkerRoles.ForSlot(m.Slot))).ToList();

    /// <summary>Per role of the unserved models, the alive workers of that role (they serve other models only). The
    /// expand and score queues are shared by every worker of a role, so these take the unserved model's rounds and
    /// fault them into the _error queue instead of leaving them to wait for a worker that serves it.</summary>
    public static IReadOnlyList<(string Role, IReadOnlyList<string> Workers)> Faulting(IReadOnlyList<RunModel> unserved, IReadOnlyList<WorkerStatusRow> alive) =>
        unserved.Select(m => WorkerRoles.ForSlot(m.Slot)).Distinct()
            .Select(role => (role, (IReadOnlyList<string>)alive.Where(w => w.Alive && w.Role == role).Select(w => w.WorkerId).Distinct().Order(StringComparer.Ordinal).ToList()))
            .Where(x => x.Item2.Count > 0).ToList();

    /// <summary>"policy 'a' (never announced), prm 'b' (last heartbeat 5m20s ago)": each unserved model with the
    /// latest heartbeat of a worker that once served it.</summary>
    public static string Describe(IReadOnlyList<RunModel> unserved, IReadOnlyList<WorkerStatusRow> workers) =>
        string.Join(", ", unserved.Select(m =>
        {
            var last = workers.Where(w => w.Model == m.Name && w.Role == WorkerRoles.ForSlot(m.Slot))
                .OrderBy(w => w.SecondsSinceSeen).FirstOrDefault();
            var seen = last is null ? "no worker ever announced it"
                : $"last heartbeat {RunStatusView.Duration(TimeSpan.FromSeconds(Math.Max(0, last.SecondsSinceSeen)))} ago from {last.WorkerId}";
            return $"{m.Slot} '{m.Name}' ({seen})";
        }));
}
