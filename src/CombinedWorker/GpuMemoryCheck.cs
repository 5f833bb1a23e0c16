using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Inference;
using Pipeline.ServiceDefaults;

namespace Pipeline.CombinedWorker;

/// <summary>Warns at startup when the two models' memory settings add up to more than the GPU holds
/// (<see cref="GpuMemoryPlan"/>): one process serving both can only find out midway otherwise.</summary>
public sealed class GpuMemoryCheck(IOptionsMonitor<InferenceOptions> inference, IOptions<ModelPathsOptions> paths, ILogger<GpuMemoryCheck> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var policy = inference.Get(InferenceOptions.PolicyRole);
        var prm = inference.Get(InferenceOptions.PrmRole);
        if (policy.Backend != "onnx" || (policy.Device == "cpu" && prm.Device == "cpu")) return Task.CompletedTask;
        if (paths.Value.Policy is not { Length: > 0 } policyPath || paths.Value.Prm is not { Length: > 0 } prmPath) return Task.CompletedTask;
        if (!File.Exists(policyPath) || !File.Exists(prmPath)) return Task.CompletedTask;   // the engines report that themselves
        if (GpuMemoryPlan.DeviceGiB(policy.CudaDeviceId) is not { } device) return Task.CompletedTask;
        var warning = GpuMemoryPlan.OverCommit(
            [(InferenceOptions.PolicyRole, ModelManifest.Load(policyPath), policy), (InferenceOptions.PrmRole, ModelManifest.Load(prmPath), prm)], device);
        if (warning is not null) logger.LogWarning("{Warning}", warning);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
