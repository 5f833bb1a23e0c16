using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.VerifierWorker;

/// <summary>The verifier worker's heartbeat: the PRM it serves. Asking the scorer first loads it, so a worker
/// announces only a PRM it could load.</summary>
public sealed class VerifierWorkerDescription(IStepScorer scorer, IOptions<ModelPathsOptions> paths) : IWorkerDescription
{
    public WorkerDescription Describe() =>
        new(WorkerRoles.Verifier, [new ServedModel(scorer.ModelName, WorkerRoles.PrmSlot, Path.GetFullPath(paths.Value.Prm!))], scorer.Device);
}
