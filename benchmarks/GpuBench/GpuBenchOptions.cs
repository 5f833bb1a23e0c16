namespace Pipeline.GpuBench;

/// <summary>Every knob of the benchmark: command line (`--GpuBench:Batches=1,16`) or environment
/// (`GpuBench__Batches=1,16`).</summary>
public sealed class GpuBenchOptions
{
    /// <summary>What to run: any of parity, bench, prm, prm-round, memory, overlap (comma separated).</summary>
    public string Modes { get; set; } = "parity,bench";
    /// <summary>Which loops generate: engine (the project's Generator on Manifest), engine-shared (the
    /// same Generator on SharedManifest: the shared-cache layout with CUDA graphs), engine-shared-nographs
    /// (the same without graph capture) and/or raw (this benchmark's own IO-binding loop straight on ONNX
    /// Runtime over Manifest, an independent check).</summary>
    public string Runners { get; set; } = "engine,raw";
    /// <summary>Manifest of the same weights in the shared-cache layout (export_qwen2.py --shared).</summary>
    public string SharedManifest { get; set; } = "";
    /// <summary>Policy manifest (docs/model-format.md).</summary>
    public string Manifest { get; set; } = "";
    /// <summary>PRM manifest for the prm mode.</summary>
    public string PrmManifest { get; set; } = "";
    /// <summary>prompts.json written by scripts/gpu/export_qwen2.py (token ids).</summary>
    public string Prompts { get; set; } = "";
    /// <summary>cuda or cpu, for the raw runner (the engine reads Inference:Device).</summary>
    public string Provider { get; set; } = "cuda";
    public int DeviceId { get; set; }
    public string Batches { get; set; } = "1,16,64,256";
    public int PromptTokens { get; set; } = 200;
    public int NewTokens { get; set; } = 256;
    public int ParityNewTokens { get; set; } = 32;
    /// <summary>Above 0: the engine runners also time sampling at this temperature (top_p 1, seed per
    /// row), reported as runner "-t{temperature}".</summary>
    public double SampleTemperature { get; set; }
    /// <summary>Untimed warm-up generations before each timed batch size (CUDA kernels, allocator).</summary>
    public int WarmupTokens { get; set; } = 8;
    /// <summary>PRM mode: solutions per call, steps per solution, tokens per step.</summary>
    public string PrmBatches { get; set; } = "16,64";
    public int PrmSteps { get; set; } = 8;
    public int PrmStepTokens { get; set; } = 32;
    /// <summary>prm mode: cut each problem to this many PRM tokens (0 = the prompts file's texts whole), so the bench
    /// can match a run's problem length.</summary>
    public int PrmProblemTokens { get; set; }
    /// <summary>prm-round mode: tokens of the problem (system prompt included) and of each step.</summary>
    public int PrmRoundProblemTokens { get; set; } = 200;
    public int PrmRoundStepTokens { get; set; } = 34;
    public int PrmRoundReps { get; set; } = 3;
    /// <summary>prm-round mode: only this case, "searches,candidates,width,depth" (empty = the default cases).</summary>
    public string PrmRoundCase { get; set; } = "";
    /// <summary>memory mode: rows the policy and the PRM serve together.</summary>
    public int MemoryBatch { get; set; } = 256;
    /// <summary>overlap mode (OverlapBench): which roles this process runs (policy, prm or both), how long each timed
    /// loop runs, and a Unix time to start the loops at (0 = at once), so two processes loaded apart start together.</summary>
    public string OverlapRoles { get; set; } = "policy,prm";
    public double OverlapSeconds { get; set; } = 20;
    public long OverlapStartAt { get; set; }
    /// <summary>Folder for the JSON results.</summary>
    public string Out { get; set; } = ".";

    public IReadOnlyList<int> ParseList(string s) =>
        s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();

    public bool Has(string mode) =>
        Modes.Split(',', StringSplitOptions.TrimEntries).Contains(mode, StringComparer.OrdinalIgnoreCase);
}
