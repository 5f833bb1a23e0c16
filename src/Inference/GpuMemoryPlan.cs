using System.Globalization;

namespace Pipeline.Inference;

/// <summary>Whether the models one process serves can fit on its GPU as configured (pure, apart from
/// <see cref="DeviceGiB"/>). Each model may take its session's arena (<see cref="InferenceOptions.CudaMemoryLimitGiB"/>)
/// plus buffers outside it: a shared-cache policy's KV slots (rows x positions reserved) and a shared-cache PRM's past
/// buffers (grown by doubling up to a chunk of <see cref="InferenceOptions.MaxPrefillTokens"/>); the process adds its
/// CUDA context, cuBLAS workspaces and captured graphs. On an H200 a 35 GiB policy arena and a 90 GiB PRM arena left too
/// little for those, and the policy's CUDA graphs failed to instantiate mid-run (docs/gpu.md). The caches kept across
/// calls live inside the arenas and are checked against them.</summary>
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

    /// <summary>GiB of a model's arena that its cache of kept prefixes may hold between calls (PRM prefixes, policy prompts).</summary>
    public static double KeptCacheGiB(ModelManifest m, InferenceOptions o) =>
        m.PrmPrefixCache ? o.PrmPrefixCacheGiB ?? 8 : m.SharedKvCache ? o.PolicyPrefixCacheGiB : 0;

    /// <summary>The share of an arena past which its kept cache leaves its runs too little: the runs' activations and a
    /// PRM chunk's presents must fit beside it (m8 on an H200: a 30 GiB PRM cache in an 80 GiB arena, plus an unlimited
    /// policy arena with a 16 GiB prompt cache, filled the GPU and split 34 batches for out of memory).</summary>
    public const double MaxCacheShare = 0.5;

    /// <summary>Warnings naming the settings, one a line: the models' arena limits and outside buffers pass
    /// <paramref name="deviceGiB"/>; a model of several has no arena limit (its arena grows to its largest batch and never
    /// gives memory back, so nothing can be added up); a kept cache takes more than <see cref="MaxCacheShare"/> of its
    /// arena. Null when none applies.</summary>
    public static string? OverCommit(IReadOnlyList<(string Role, ModelManifest Manifest, InferenceOptions Options)> models, double deviceGiB)
    {
        if (models.Count == 0) return null;
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        var warnings = new List<string>();
        var unlimited = models.Where(x => x.Options.CudaMemoryLimitGiB <= 0).ToList();
        if (models.Count > 1 && unlimited.Count > 0)
            warnings.Add($"GPU memory not planned: {string.Join(" and ", unlimited.Select(x => $"Inference__{x.Role}__CudaMemoryLimitGiB"))} "
                + $"{(unlimited.Count > 1 ? "are" : "is")} not set, so {(unlimited.Count > 1 ? "those arenas grow" : "that arena grows")} to the largest "
                + $"batch and {(unlimited.Count > 1 ? "keep" : "keeps")} it while {models.Count} models share the device; set a limit for each "
                + $"(arenas + buffers outside them + ~{F(ProcessOverheadGiB)} GiB within the device's {F(deviceGiB)} GiB)");
        foreach (var (role, manifest, options) in models)
        {
            var cache = KeptCacheGiB(manifest, options);
            var name = manifest.PrmPrefixCache ? "PrmPrefixCacheGiB" : "PolicyPrefixCacheGiB";
            if (cache <= 0) continue;
            if (options.CudaMemoryLimitGiB <= 0)
            {
                if (models.Count > 1)
                    warnings.Add($"{role}: Inference__{role}__{name} {F(cache)} GiB of kept prefixes in an arena with no limit: they come on top of "
                        + "the arena's largest batch");
            }
            else if (cache > MaxCacheShare * options.CudaMemoryLimitGiB)
                warnings.Add($"{role}: Inference__{role}__{name} {F(cache)} GiB of kept prefixes is more than {(MaxCacheShare * 100).ToString("F0", CultureInfo.InvariantCulture)}% of its "
                    + $"{F(options.CudaMemoryLimitGiB)} GiB arena (Inference__{role}__CudaMemoryLimitGiB): the runs beside it may fail with "
                    + "out of memory and be split into smaller batches");
        }
        if (unlimited.Count == 0)
        {
            var parts = models.Select(x => (x.Role, Arena: x.Options.CudaMemoryLimitGiB, Outside: OutsideArenaGiB(x.Manifest, x.Options))).ToList();
            var total = parts.Sum(p => p.Arena + p.Outside) + ProcessOverheadGiB;
            if (total > deviceGiB)
                warnings.Insert(0, $"GPU memory over-committed: {string.Join(" + ", parts.Select(p => $"{p.Role} {F(p.Arena)} GiB arena (Inference__{p.Role}__CudaMemoryLimitGiB) + {F(p.Outside)} GiB outside it"))}"
                    + $" + ~{F(ProcessOverheadGiB)} GiB for the process = {F(total)} GiB, more than the device's {F(deviceGiB)} GiB; lower a limit, "
                    + "Inference__Policy__MaxBatchSize / KvCacheLength or Inference__Prm__MaxPrefillTokens, or a run may fail with out of memory midway");
        }
        return warnings.Count == 0 ? null : string.Join(Environment.NewLine, warnings);
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
