using System.Globalization;

namespace Pipeline.Inference;

/// <summary>Whether the models one process serves can fit on its GPU as configured (pure, apart from
/// <see cref="DeviceGiB"/>). Each model may take its session's arena (<see cref="InferenceOptions.CudaMemoryLimitGiB"/>)
/// plus buffers outside it: a shared-cache policy's KV slots (rows x positions reserved) and a shared-cache PRM's past
/// buffers (grown by doubling up to a chunk of <see cref="InferenceOptions.MaxPrefillTokens"/>); the process adds its
/// CUDA context, cuBLAS workspaces and captured graphs. On an H200 a 35 GiB policy arena and a 90 GiB PRM arena left too
/// little for those, and the policy's CUDA graphs failed to instantiate mid-run (docs/gpu.md).</summary>
public static class GpuMemoryPlan
{
    /// <summary>What a process needs besides its models' arenas and buffers (context, workspaces, graphs).</summary>
    public const double ProcessOverheadGiB = 2;

    private const double Gib = 1L << 30;

    /// <summary>GiB a model may take outside its arena.</summary>
    public static double OutsideArenaGiB(ModelManifest m, InferenceOptions o)
    {
        var element = m.Dtype == "float16" ? 2 : 4;
        var position = 2.0 * m.NumLayers * m.NumKvHeads * m.HeadSize * element;
        if (m.SharedKvCache && o.KvCacheLength > 0)
        {
            var rows = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, o.MaxBatchSize));
            var length = Math.Min(m.MaxPositions, (o.KvCacheLength + 255) / 256 * 256);
            return rows * length * position / Gib;
        }
        if (m.PrmPrefixCache) return 2.0 * o.MaxPrefillTokens * position / Gib;
        return 0;
    }

    /// <summary>A warning naming the settings when the models' arena limits and outside buffers pass
    /// <paramref name="deviceGiB"/>; null when they fit, or when a model has no arena limit (nothing to add up).</summary>
    public static string? OverCommit(IReadOnlyList<(string Role, ModelManifest Manifest, InferenceOptions Options)> models, double deviceGiB)
    {
        if (models.Count == 0 || models.Any(x => x.Options.CudaMemoryLimitGiB <= 0)) return null;
        var parts = models.Select(x => (x.Role, Arena: x.Options.CudaMemoryLimitGiB, Outside: OutsideArenaGiB(x.Manifest, x.Options))).ToList();
        var total = parts.Sum(p => p.Arena + p.Outside) + ProcessOverheadGiB;
        if (total <= deviceGiB) return null;
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        return $"GPU memory over-committed: {string.Join(" + ", parts.Select(p => $"{p.Role} {F(p.Arena)} GiB arena (Inference__{p.Role}__CudaMemoryLimitGiB) + {F(p.Outside)} GiB outside it"))}"
            + $" + ~{F(ProcessOverheadGiB)} GiB for the process = {F(total)} GiB, more than the device's {F(deviceGiB)} GiB; lower a limit, "
            + "Inference__Policy__MaxBatchSize / KvCacheLength or Inference__Prm__MaxPrefillTokens, or a run may fail with out of memory midway";
    }

    /// <summary>Total memory of CUDA device <paramref name="device"/> in GiB; null without a CUDA runtime.</summary>
    public static double? DeviceGiB(int device)
    {
        try
        {
            CudaRuntime.SetDevice(device);
            return CudaRuntime.MemoryInfo().Total / Gib;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or CudaRuntimeException or TypeInitializationException)
        {
            return null;
        }
    }
}
