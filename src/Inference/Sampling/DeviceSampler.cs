using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.Inference;

/// <summary>Temperature sampling (top_p = 1) of logits that stay where the decoder wrote them: a small
/// ONNX graph (Sampling/make_sampler.py, embedded) on the model's execution provider takes the logits
/// buffer, one inverse temperature and one uniform draw per row, and returns token ids. The draws come
/// from each row's <see cref="SampleRng"/>, one per token as on the host path, so seeds mean the same.</summary>
internal sealed class DeviceSampler : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _options = new();

    public DeviceSampler(LanguageModel model, TensorElementType logitsType)
    {
        var name = logitsType == TensorElementType.Float16 ? "sampler-float16.onnx" : "sampler-float32.onnx";
        using var stream = typeof(DeviceSampler).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"embedded resource {name} missing from {typeof(DeviceSampler).Assembly.GetName().Name}");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        _session = SessionFactory.CreateHelper(bytes.ToArray(), model.ExecutionProvider, model.Options);
    }

    /// <summary>Fills <paramref name="tokens"/>[0..batch) from <paramref name="logits"/> [batch, vocab] and each
    /// row's argmax (the decoder's <c>next_token</c>, where the softmax is anchored).</summary>
    public void Sample(OrtValue logits, OrtValue argmax, float[] inverseTemperature, float[] uniform, int batch, long[] tokens)
    {
        using var binding = _session.CreateIoBinding();
        using var inv = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inverseTemperature.AsMemory(0, batch), [batch]);
        using var u = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, uniform.AsMemory(0, batch), [batch]);
        using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tokens.AsMemory(0, batch), [batch]);
        binding.BindInput("logits", logits);
        binding.BindInput("argmax", argmax);
        binding.BindInput("inv_temperature", inv);
        binding.BindInput("uniform", u);
        binding.BindOutput("token", output);
        _session.RunWithBinding(_options, binding);
        binding.SynchronizeBoundOutputs();
        var last = logits.GetTensorTypeAndShape().Shape[1] - 1;
        for (var i = 0; i < batch; i++) tokens[i] = Math.Min(tokens[i], last);
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
