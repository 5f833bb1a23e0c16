using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Inference;
using Pipeline.ServiceDefaults;

namespace Pipeline.ProposalWorker;

/// <summary>The proposal worker's heartbeat: the policy and revision models it was configured with, named as
/// their manifests name them (the names runs store and rounds carry). Asking the engine first loads the models,
/// so a worker announces only what it could load.</summary>
public sealed class ProposalWorkerDescription(IProposalEngine engine, IOptions<ModelPathsOptions> paths) : IWorkerDescription
{
    public WorkerDescription Describe()
    {
        var device = engine.Device;
        var models = new[] { (WorkerRoles.PolicySlot, paths.Value.Policy), (WorkerRoles.RevisionSlot, paths.Value.Revision) }
            .Where(m => !string.IsNullOrWhiteSpace(m.Item2))
            .Select(m => new ServedModel(ModelManifest.Load(m.Item2!).Name, m.Item1, Path.GetFullPath(m.Item2!)))
            .Where(m => engine.ServedModels.Contains(m.Name))
            .ToList();
        return new WorkerDescription(WorkerRoles.Proposal, models, device);
    }
}
