namespace Pipeline.Storage;

/// <summary>Bound from the "ConnectionStrings" section: env <c>ConnectionStrings__Pipeline</c>
/// (<c>eval "$(scripts/services.sh env)"</c> sets it for the local servers).</summary>
public sealed class PipelineConnectionOptions
{
    public const string Section = "ConnectionStrings";

    public string? Pipeline { get; set; }
}
