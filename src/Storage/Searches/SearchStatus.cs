namespace Pipeline.Storage.Searches;

/// <summary>Where one search is (<c>searches.status</c>). pending -> running -> done | failed; a failed
/// search goes back to running only through <see cref="SearchStateStore.ReopenFailedAsync"/>.</summary>
public enum SearchStatus
{
    /// <summary>Created by the Producer, not started by the Aggregator yet.</summary>
    Pending = 0,
    /// <summary>A round is requested from the workers.</summary>
    Running = 1,
    /// <summary>Finished with outcomes.</summary>
    Done = 2,
    /// <summary>Given up (the strategy refused, the database refused a round, or the round never came back).</summary>
    Failed = 3,
}

/// <summary>Where one run is (<c>runs.status</c>). submitted -> running -> done; done -> running when failed
/// searches are reopened.</summary>
public enum RunStatus
{
    /// <summary>Its searches are created and published; none started yet.</summary>
    Submitted = 0,
    /// <summary>At least one search was started.</summary>
    Running = 1,
    /// <summary>Every search is done or failed.</summary>
    Done = 2,
}

/// <summary>The names statuses are stored as: the converters of the EF model, the check constraints, the
/// SQL of <see cref="SearchStateStore"/> and the queries all read them from here.</summary>
public static class StatusNames
{
    public static readonly IReadOnlyList<SearchStatus> SearchStatuses = [SearchStatus.Pending, SearchStatus.Running, SearchStatus.Done, SearchStatus.Failed];
    public static readonly IReadOnlyList<RunStatus> RunStatuses = [RunStatus.Submitted, RunStatus.Running, RunStatus.Done];

    public static string Name(this SearchStatus s) => s switch
    {
        SearchStatus.Pending => "pending",
        SearchStatus.Running => "running",
        SearchStatus.Done => "done",
        SearchStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, "unknown search status"),
    };

    public static string Name(this RunStatus s) => s switch
    {
        RunStatus.Submitted => "submitted",
        RunStatus.Running => "running",
        RunStatus.Done => "done",
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, "unknown run status"),
    };

    /// <summary>Done or failed: nothing more happens to the search unless it is reopened.</summary>
    public static bool IsFinished(this SearchStatus s) => s is SearchStatus.Done or SearchStatus.Failed;

    public static SearchStatus ParseSearchStatus(string name) =>
        SearchStatuses.Where(s => s.Name() == name).Select(s => (SearchStatus?)s).FirstOrDefault()
        ?? throw new FormatException($"'{name}' is not a search status (one of {string.Join(", ", SearchStatuses.Select(Name))})");

    public static RunStatus ParseRunStatus(string name) =>
        RunStatuses.Where(s => s.Name() == name).Select(s => (RunStatus?)s).FirstOrDefault()
        ?? throw new FormatException($"'{name}' is not a run status (one of {string.Join(", ", RunStatuses.Select(Name))})");

}
