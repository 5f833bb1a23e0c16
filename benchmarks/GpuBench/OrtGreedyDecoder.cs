using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.GpuBench;

/// <summary>Timings of one batched greedy generation.</summary>
public sealed record GenerationTiming(int Batch, int PromptTokens, int NewTokens, double Seconds, double PrefillSeconds)
{
    public double TokensPerSecond => Batch * NewTokens / Seconds;
    /// <summary>Tokens after the first over the time after prefill: the steady decode rate.</summary>
    public double DecodeTokensPerSecond => NewTokens > 1 ? Batch * (NewTokens - 1) / (Seconds - PrefillSeconds) : 0;
}

/// <summary>
/// Batched greedy decoding straight on ONNX Runtime with IO binding: the KV cache is bound as a
/// device output and fed back as the next step's input without leaving the GPU; only the int64
/// ids/mask/positions go up and the last position's logits come down each step. This is the
/// benchmark's own loop, an implementation independent of the engine: it checks an exported model's
/// layout before the engine is involved, and its tokens must match the engine's. The project's engine
/// is timed through EngineRunner (on the H200 run of docs/gpu.md the engine was the faster of the two).
/// </summary>
public sealed class OrtGreedyDecoder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly BenchManifest _m;
    private readonly OrtMemoryInfo _kvMemory;
    private readonly TensorElementType _kvType;
    public string Provider { get; }

    public OrtGreedyDecoder(BenchManifest manifest, string provider, int deviceId)
    {
        _m = manifest;
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (provider == "cuda")
        {
            so.AppendExecutionProvider_CUDA(deviceId);
            _kvMemory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.Default);
        }
        else
        {
            _kvMemory = OrtMemoryInfo.DefaultInstance;
        }
        Provider = provider;
        _session = new InferenceSession(manifest.OnnxPath, so);
        _kvType = manifest.Dtype == "float16" ? TensorElementType.Float16 : TensorElementType.Float;
    }

    /// <summary>Greedy tokens for each prompt (left padded into one batch), exactly newTokens each
    /// (EOS is not a stop here: the benchmark wants fixed work per row).</summary>
    public (int[][] Tokens, GenerationTiming Timing) Generate(IReadOnlyList<int[]> prompts, int newTokens)
    {
        int batch = prompts.Count;
        int promptLen = prompts.Max(p => p.Length);
        var sw = Stopwatch.StartNew();
        double prefill = 0;
        var tokens = new int[batch][];
        for (int b = 0; b < batch; b++) tokens[b] = new int[newTokens];

        // Host-side state: the attention mask grows by one column a step.
        var mask = new List<long[]>(batch);
        var nextPos = new long[batch];
        var ids = new long[batch * promptLen];
        var pos = new long[batch * promptLen];
        for (int b = 0; b < batch; b++)
        {
            var row = new long[promptLen];
            int pad = promptLen - prompts[b].Length;
            for (int t = 0; t < prompts[b].Length; t++)
            {
                row[pad + t] = 1;
                ids[b * promptLen + pad + t] = prompts[b][t];
                pos[b * promptLen + pad + t] = t;
            }
            mask.Add(row);
            nextPos[b] = prompts[b].Length;
        }

        var past = new OrtValue[2 * _m.NumLayers];
        for (int i = 0; i < past.Length; i++)
            past[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, _kvType,
                [batch, _m.NumKvHeads, 0, _m.HeadSize]);
        using var binding = _session.CreateIoBinding();
        using var run = new RunOptions();
        int seq = promptLen;
        try
        {
            for (int step = 0; step < newTokens; step++)
            {
                int total = mask[0].Length;
                var flatMask = new long[batch * total];
                for (int b = 0; b < batch; b++) mask[b].CopyTo(flatMask, b * total);
                using var idsV = OrtValue.CreateTensorValueFromMemory(ids, [batch, seq]);
                using var maskV = OrtValue.CreateTensorValueFromMemory(flatMask, [batch, total]);
                using var posV = OrtValue.CreateTensorValueFromMemory(pos, [batch, seq]);
                binding.ClearBoundInputs();
                binding.ClearBoundOutputs();
                binding.BindInput("input_ids", idsV);
                binding.BindInput("attention_mask", maskV);
                binding.BindInput("position_ids", posV);
                for (int l = 0; l < _m.NumLayers; l++)
                {
                    binding.BindInput($"past_key_values.{l}.key", past[2 * l]);
                    binding.BindInput($"past_key_values.{l}.value", past[2 * l + 1]);
                }
                binding.BindOutputToDevice("logits", OrtMemoryInfo.DefaultInstance);
                for (int l = 0; l < _m.NumLayers; l++)
                {
                    binding.BindOutputToDevice($"present.{l}.key", _kvMemory);
                    binding.BindOutputToDevice($"present.{l}.value", _kvMemory);
                }
                _session.RunWithBinding(run, binding);
                var outs = binding.GetOutputValues();
                int[] next;
                using (var logits = outs[0]) next = HalfArgMax.Rows(logits);
                for (int i = 0; i < past.Length; i++)
                {
                    past[i].Dispose();
                    past[i] = outs[1 + i];
                }
                ids = new long[batch];
                pos = new long[batch];
                for (int b = 0; b < batch; b++)
                {
                    tokens[b][step] = next[b];
                    ids[b] = next[b];
                    pos[b] = nextPos[b]++;
                    var grown = new long[total + 1];
                    mask[b].CopyTo(grown, 0);
                    grown[total] = 1;
                    mask[b] = grown;
                }
                seq = 1;
                if (step == 0) prefill = sw.Elapsed.TotalSeconds;
            }
        }
        finally
        {
            foreach (var v in past) v.Dispose();
        }
        return (tokens, new GenerationTiming(batch, promptLen, newTokens, sw.Elapsed.TotalSeconds, prefill));
    }

    public void Dispose()
    {
        _session.Dispose();
        if (!ReferenceEquals(_kvMemory, OrtMemoryInfo.DefaultInstance)) _kvMemory.Dispose();
    }
}
