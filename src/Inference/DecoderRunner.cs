using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.Inference;

/// <summary>One forward pass of a decoder with a KV cache (optimum layout), through IO binding: ids,
/// mask and positions go in from managed arrays, logits come back to host memory, and the present
/// outputs stay where the execution provider computed them (GPU memory on CUDA) so they are fed back
/// as the next call's past without a copy. A caller that must rearrange rows asks for a host-side
/// present instead (<c>hostPresent</c>): prefill results and the step before a compaction.</summary>
internal sealed class DecoderRunner : IDisposable
{
    private readonly LanguageModel _model;
    private readonly string[] _pastNames;
    private readonly string[] _presentNames;
    private readonly bool _hasPositions;
    private readonly TensorElementType _kvType;
    private readonly OrtMemoryInfo _deviceMemory;
    private readonly bool _deviceIsHost;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly RunOptions _quietRunOptions = new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };

    public DecoderRunner(LanguageModel model)
    {
        _model = model;
        var layers = model.Manifest.NumLayers;
        _hasPositions = model.InputNames.Contains("position_ids");
        _kvType = model.Session.InputMetadata["past_key_values.0.key"].ElementDataType;
        _pastNames = Enumerable.Range(0, layers).SelectMany(i => new[] { $"past_key_values.{i}.key", $"past_key_values.{i}.value" }).ToArray();
        _presentNames = Enumerable.Range(0, layers).SelectMany(i => new[] { $"present.{i}.key", $"present.{i}.value" }).ToArray();
        _deviceIsHost = model.ExecutionProvider != "CUDA";
        _deviceMemory = _deviceIsHost
            ? OrtMemoryInfo.DefaultInstance
            : new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, model.Options.CudaDeviceId, OrtMemType.Default);
        _binding = model.Session.CreateIoBinding();
    }

    /// <summary>The past a prefill starts from: empty, or <see cref="LanguageModel.PrefillPastSlots"/> zero
    /// slots that the caller masks out (attention_mask 0).</summary>
    public KvCache InitialCache(int batch, int? slots = null) =>
        KvCache.Zeros(_model.Manifest.NumLayers, batch, slots ?? _model.PrefillPastSlots, _model.Manifest.NumKvHeads, _model.Manifest.HeadSize, _kvType);

    /// <summary>Runs <paramref name="seq"/> new tokens per row on top of <paramref name="past"/> (not disposed here).
    /// Returns logits [batch, seq or 1, vocab] in host memory and the present cache (length past + seq),
    /// in host memory when <paramref name="hostPresent"/> (or on CPU), else on the device; the caller disposes both.
    /// <paramref name="quiet"/>: a probe expected to fail may do so without ONNX Runtime logging an error.</summary>
    public (OrtValue Logits, KvCache Present) Forward(long[] ids, long[] mask, long[] positions, int batch, int seq, KvCache past,
        bool hostPresent = false, bool quiet = false)
    {
        var total = past.Length + seq;
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [batch, seq]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [batch, total]);
        using var positionsValue = OrtValue.CreateTensorValueFromMemory(positions, [batch, seq]);
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        _binding.BindInput("input_ids", idsValue);
        _binding.BindInput("attention_mask", maskValue);
        if (_hasPositions) _binding.BindInput("position_ids", positionsValue);
        for (var l = 0; l < past.Layers; l++)
        {
            _binding.BindInput(_pastNames[2 * l], past.Keys[l]);
            _binding.BindInput(_pastNames[2 * l + 1], past.Values[l]);
        }
        _binding.BindOutputToDevice("logits", OrtMemoryInfo.DefaultInstance);
        var presentMemory = hostPresent ? OrtMemoryInfo.DefaultInstance : _deviceMemory;
        foreach (var name in _presentNames) _binding.BindOutputToDevice(name, presentMemory);

        _model.Session.RunWithBinding(quiet ? _quietRunOptions : _runOptions, _binding);
        // Outputs are taken over one by one: the presents live on as the next past.
        var outputs = _binding.GetOutputValues();
        var keys = new OrtValue[past.Layers];
        var vals = new OrtValue[past.Layers];
        for (var l = 0; l < past.Layers; l++)
        {
            keys[l] = outputs[1 + 2 * l];
            vals[l] = outputs[2 + 2 * l];
        }
        var onHost = hostPresent || (_deviceIsHost && !_model.TreatCacheAsDevice);
        return (outputs[0], KvCache.Wrap(keys, vals, batch, total, past.Heads, past.HeadSize, past.ElementType, onHost));
    }

    public void Dispose()
    {
        _binding.Dispose();
        _runOptions.Dispose();
        _quietRunOptions.Dispose();
        if (!_deviceIsHost) _deviceMemory.Dispose();
    }
}
