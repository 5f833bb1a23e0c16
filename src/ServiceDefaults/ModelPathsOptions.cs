namespace Pipeline.ServiceDefaults;

/// <summary>Model manifest paths, bound from "Models" (env: Models__Policy, Models__Prm, Models__Revision).
/// A worker loads the ones its role needs; messages name models, and a worker refuses a name it does not serve.</summary>
public sealed class ModelPathsOptions
{
    public const string Section = "Models";

    public string? Policy { get; set; }
    public string? Prm { get; set; }
    public string? Revision { get; set; }
}
