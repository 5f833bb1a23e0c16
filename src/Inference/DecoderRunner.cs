using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.Inference;

/// <summary>One forward pass of a decoder with a KV cache (optimum layout). Inputs are built from
/// managed arrays; the present outputs come back as the next call's past without a copy.
/// Kept apart from the generation loop so an IO-binding (device-resident cache) version can replace it.</summary>
internal sealed class DecoderRunner : IDisposable
{
    private readonly LanguageModel _model;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasPositions;
    private readonly TensorElementType _kvType;
    private readonly RunOptions _runOptions = new();
    private readonly RunOptions _quietRunOptions = new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };

    public DecoderRunner(LanguageModel model)
    {
        _model = model;
        var layers = model.Manifest.NumLayers;
        _hasPositions = model.InputNames.Contains("position_ids");
        _kvType = model.Session.InputMetadata["past_key_values.0.key"].ElementDataType;
        var inputs = new List<string> { "input_ids", "attention_mask" };
        if (_hasPositions) inputs.Add("position_ids");
        var outputs = new List<string> { "logits" };
        for (var i = 0; i < layers; i++)
        {
            inputs.Add($"past_key_values.{i}.key");
            inputs.Add($"past_key_values.{i}.value");
            outputs.Add($"present.{i}.key");
            outputs.Add($"present.{i}.value");
        }
        _inputNames = [.. inputs];
        _outputNames = [.. outputs];
    }

    /// <summary>The past a prefill starts from: empty, or <see cref="LanguageModel.PrefillPastSlots"/> zero
    /// slots that the caller masks out (attention_mask 0).</summary>
    public KvCache InitialCache(int batch, int? slots = null) =>
        KvCache.Zeros(_model.Manifest.NumLayers, batch, slots ?? _model.PrefillPastSlots, _model.Manifest.NumKvHeads, _model.Manifest.HeadSize, _kvType);

    /// <summary>Runs <paramref name="seq"/> new tokens per row on top of <paramref name="past"/> (not disposed here).
    /// Returns logits [batch, seq, vocab] and the present cache (length past + seq); the caller disposes both.
    /// <paramref name="quiet"/>: a probe expected to fail may do so without ONNX Runtime logging an error.</summary>
    public (OrtValue Logits, KvCache Present) Forward(long[] ids, long[] mask, long[] positions, int batch, int seq, KvCache past, bool quiet = false)
    {
        var total = past.Length + seq;
        var layers = past.Layers;
        var values = new List<OrtValue>(_inputNames.Length);
        try
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(ids, [batch, seq]));
            values.Add(OrtValue.CreateTensorValueFromMemory(mask, [batch, total]));
            if (_hasPositions) values.Add(OrtValue.CreateTensorValueFromMemory(positions, [batch, seq]));
            var own = values.Count;
            for (var l = 0; l < layers; l++)
            {
                values.Add(past.Keys[l]);
                values.Add(past.Values[l]);
            }
            var outputs = _model.Session.Run(quiet ? _quietRunOptions : _runOptions, _inputNames, values, _outputNames);
            // Outputs are taken over one by one (not disposed as a collection): the presents live on as the next past.
            var keys = new OrtValue[layers];
            var vals = new OrtValue[layers];
            for (var l = 0; l < layers; l++)
            {
                keys[l] = outputs[1 + 2 * l];
                vals[l] = outputs[2 + 2 * l];
            }
            for (var i = own; i < values.Count; i++) values[i] = null!;   // past stays the caller's
            return (outputs[0], KvCache.Wrap(keys, vals, batch, total, past.Heads, past.HeadSize, past.ElementType));
        }
        finally
        {
            foreach (var v in values) v?.Dispose();
        }
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _quietRunOptions.Dispose();
    }
}
