namespace Pipeline.Inference;

/// <summary>Engine knobs, bound from the "Inference" configuration section; every one is also an
/// environment variable, e.g. <c>Inference__IntraOpThreads=2</c>, <c>Inference__Device=cpu</c>.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>The named options each worker's model loads with: <c>Inference:Policy:*</c> (proposal worker) and
    /// <c>Inference:Prm:*</c> (verifier worker) override <c>Inference:*</c> for that model alone, e.g.
    /// <c>Inference__Prm__CudaMemoryLimitGiB=80</c>. One process serving both (the combined worker) needs that:
    /// a 1B policy and a 7B PRM on one GPU want different memory limits and batch sizes.</summary>
    public const string PolicyRole = "Policy";
    public const string PrmRole = "Prm";

    /// <summary>The configuration section of a role's overrides ("Inference:Prm").</summary>
    public static string RoleSection(string role) => $"{SectionName}:{role}";

    /// <summary>"onnx" (the models through ONNX Runtime) or "synthetic" (no model: <see cref="SyntheticOptions"/>),
    /// read by the workers at startup.</summary>
    public string Backend { get; set; } = "onnx";

    /// <summary>Where <see cref="ModelRegistry"/> looks for <c>*.manifest.json</c> files (searched recursively).</summary>
    public string ModelsDirectory { get; set; } = "models";

    /// <summary>"auto" (CUDA when its provider loads, else CPU), "cpu" or "cuda" (fail if CUDA cannot load).</summary>
    public string Device { get; set; } = "auto";

    public int CudaDeviceId { get; set; }

    /// <summary>CUDA only: run this model's kernels on a CUDA stream of this priority; 0 = the normal priority (a stream of
    /// the model's own with <see cref="CudaStreamPerModel"/>, else ONNX Runtime's own stream).
    /// CUDA counts down (-1 outranks 0; Hopper allows -5..0, and values past the device's range are clamped to it).
    /// For one process serving two models on one GPU (the combined worker): the GPU schedules the blocks of a
    /// higher-priority stream's kernels first as SMs free up, so <c>Inference:Policy:CudaStreamPriority=-5</c> keeps
    /// the policy's small decode kernels from queueing behind the PRM's prefill, which otherwise takes every SM
    /// (measured: the policy made 34% of its alone rate in beam search while the PRM ran). Two processes cannot do this:
    /// the GPU time-slices between their contexts.</summary>
    public int CudaStreamPriority { get; set; }

    /// <summary>CUDA only: run this model (its session and its helper graphs) on a CUDA stream of its own, and make
    /// the engine's copies and waits on that stream alone. Off: ONNX Runtime's own stream per session, and every wait
    /// is for the whole device (<c>cudaDeviceSynchronize</c>), as before 2026-12-02. With two models in one process
    /// (the combined worker) a device-wide wait makes each of the policy's decode steps wait for whatever the PRM has
    /// queued, so the two never run side by side. A non-zero <see cref="CudaStreamPriority"/> implies a stream of
    /// its own.</summary>
    public bool CudaStreamPerModel { get; set; } = true;

    /// <summary>CUDA only: the most GiB each ONNX Runtime session's memory arena may hold (0 = no limit). Two
    /// workers on one GPU each grow their arena and never give memory back, so without a split the second to
    /// need more fails with out-of-memory (measured: a policy and a 7B PRM on one H200 at best-of-256).
    /// With a limit the arena also grows only by what is asked for, not by doubling.</summary>
    public double CudaMemoryLimitGiB { get; set; }

    /// <summary>ONNX Runtime intra-op threads; 0 = one per core.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Let ONNX Runtime's intra-op threads spin between runs (its default: lowest latency per
    /// step). Turn off where several workers share few cores, so idle spinning does not steal them.</summary>
    public bool IntraOpSpinning { get; set; } = true;

    /// <summary>Most sequences decoded together; larger calls run in waves of this size.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Most padded prompt tokens in one prefill run (rows x longest prompt); bounds the
    /// [rows, length, vocab] logits a full-vocabulary model returns on prefill.</summary>
    public int MaxPrefillTokens { get; set; } = 16384;

    /// <summary>Shared-cache PRMs: most GiB the attention scores of one prefill run may take (rows x heads x new positions
    /// x all positions x 4 bytes), besides <see cref="MaxPrefillTokens"/>. A run of long candidates after short pasts
    /// stays within the token budget while its scores grow with the square of the length: a 7B PRM on an H200 asked
    /// for 14.5 GB in one Attention node and ran out of memory.</summary>
    public double MaxPrefillAttentionGiB { get; set; } = 4;

    /// <summary>Drop finished rows from the KV cache once this fraction of the batch has finished;
    /// until then they ride along masked (a copy of the cache costs more than a few idle rows).</summary>
    public double CompactFraction { get; set; } = 0.25;

    /// <summary>Prefill each distinct prompt once and copy its KV cache to its samples. Off only to
    /// measure what it saves.</summary>
    public bool PrefixSharing { get; set; } = true;

    /// <summary>On CUDA, capture each decode step of a shared-cache model (manifest <c>"kv_cache": "shared"</c>)
    /// as a CUDA graph once per batch size and replay it: one launch a step instead of one per kernel.</summary>
    public bool CudaGraphs { get; set; } = true;

    /// <summary>Shared-cache models: positions per row to reserve up front (prompt + new tokens; 0 = as the
    /// first calls need). A worker that knows its longest request reserves once, so its captured CUDA
    /// graphs are never captured again for a longer buffer.</summary>
    public int KvCacheLength { get; set; }

    /// <summary>Candidates scored in one PRM run.</summary>
    public int PrmBatchSize { get; set; } = 64;

    /// <summary>Shared-cache PRMs: candidates that start with at least this many common tokens share one
    /// prefill of them (a shorter common run is not worth a cache copy).</summary>
    public int PrmMinSharedTokens { get; set; } = 16;

    /// <summary>Shared-cache PRMs: GiB of device memory that the caches of scored prefixes (a beam search round's
    /// problem and beams) may keep between calls, so that the next round prefills only each beam's new step
    /// (<see cref="PrmPrefixCache"/>); 0 = keep nothing; unset = 8 on CUDA, 1 on CPU (host memory there). Counts
    /// against the session's <see cref="CudaMemoryLimitGiB"/>: the caches live in its arena.</summary>
    public double? PrmPrefixCacheGiB { get; set; }

    /// <summary>Shared-cache policies (<c>"kv_cache": "shared"</c>): GiB of device memory that the caches of prompts may
    /// keep between calls (<see cref="PromptKvCache"/>), so that a beam search's next round copies each beam's prompt
    /// cache and feeds only the step it added, one token a decode step, instead of prefilling the whole prompt again;
    /// 0 = keep nothing (the default until measured on a GPU). Lives in the session's arena.</summary>
    public double PolicyPrefixCacheGiB { get; set; }

    /// <summary>With <see cref="PolicyPrefixCacheGiB"/>: a prompt continues a kept one only if at most this many of its
    /// tokens are new (each costs a decode step of the whole batch; a longer tail is cheaper to prefill).</summary>
    public int PolicyPrefixMaxTail { get; set; } = 64;

    /// <summary>A step holding this string is a final answer, so the sample is terminal.</summary>
    public string AnswerMarker { get; set; } = "\\boxed{";

    internal int ResolvedThreads => IntraOpThreads > 0 ? IntraOpThreads : Environment.ProcessorCount;
}
