namespace Pipeline.Inference;

/// <summary>Provenance of an imported checkpoint (manifest <c>source</c>, docs/import-contract.md).</summary>
public sealed record ModelSource(string? Architecture, string? Checkpoint, string? ConfigSha256, string? TorchDtype);
