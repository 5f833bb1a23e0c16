namespace Pipeline.ServiceDefaults;

/// <summary>How a worker process names itself in the messages it sends about itself.</summary>
public static class WorkerIdentity
{
    public static readonly string Name = $"{Environment.MachineName}:{Environment.ProcessId}";
}
