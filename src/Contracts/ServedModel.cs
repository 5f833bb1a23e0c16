namespace Pipeline.Contracts;

/// <summary>One model a worker serves, as <see cref="WorkerHeartbeat"/> announces it. <paramref name="Name"/> is the
/// manifest's name (what runs store and messages carry); <paramref name="Slot"/> the run spec's key it fills
/// (policy, revision or prm); <paramref name="ManifestPath"/> the manifest the worker loaded, as configured.</summary>
public sealed record ServedModel(string Name, string Slot, string ManifestPath);
