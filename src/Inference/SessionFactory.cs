using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>Opens ONNX sessions on CUDA when its provider can be loaded, else on CPU, and says which
/// and why in the log (once per model, i.e. once per worker start).</summary>
internal static class SessionFactory
{
    /// <param name="cudaGraphs">Let ONNX Runtime capture and replay CUDA graphs (runs that pass a
    /// <c>gpu_graph_id</c>); only for graphs whose every node runs on the GPU.</param>
    public static (InferenceSession Session, string Provider) Create(string onnxPath, string modelName, InferenceOptions options, ILogger logger,
        bool cudaGraphs = false)
    {
        var device = options.Device.ToLowerInvariant();
        if (device is not ("auto" or "cpu" or "cuda"))
            throw new ArgumentException($"Inference:Device must be auto, cpu or cuda, got '{options.Device}'");
        if (device != "cpu")
        {
            SessionOptions? cuda = null;
            try
            {
                cuda = BaseOptions(options);
                AppendCuda(cuda, options, "enable_cuda_graph", cudaGraphs ? "1" : "0");
                var session = Open(onnxPath, cuda);
                logger.LogInformation("Model {Model}: execution provider CUDA (device {Device}, CUDA graphs {Graphs})", modelName,
                    options.CudaDeviceId, cudaGraphs ? "on" : "off");
                return (session, "CUDA");
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or CudaRuntimeException)
            {
                if (device == "cuda")
                    throw new InvalidOperationException($"Inference:Device=cuda but the CUDA execution provider cannot be loaded: {e.Message}", e);
                logger.LogInformation("Model {Model}: execution provider CPU, {Threads} threads (CUDA unavailable: {Reason})",
                    modelName, options.ResolvedThreads, FirstLine(e.Message));
            }
            finally
            {
                cuda?.Dispose();
            }
        }
        else
        {
            logger.LogInformation("Model {Model}: execution provider CPU, {Threads} threads (Inference:Device=cpu)", modelName, options.ResolvedThreads);
        }
        using var cpu = BaseOptions(options);
        return (Open(onnxPath, cpu), "CPU");
    }

    /// <summary>A helper graph (bytes, e.g. an embedded resource) on the provider a model already runs on.
    /// TF32 is off there: helper graphs sum probabilities, where a 10-bit mantissa would move samples.</summary>
    public static InferenceSession CreateHelper(byte[] onnx, string provider, InferenceOptions options)
    {
        using var so = BaseOptions(options);
        if (provider == "CUDA") AppendCuda(so, options, "use_tf32", "0");
        return new InferenceSession(onnx, so);
    }

    // The CUDA provider on the configured device, with one provider option set.
    private static void AppendCuda(SessionOptions so, InferenceOptions options, string key, string value)
    {
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(CudaProviderOptions(options, key, value, StreamFor(options)));
        so.AppendExecutionProvider_CUDA(cuda);
    }

    // One stream per model: the options object a model loads with (its role's, e.g. Inference:Prm) stands for the
    // model, so its session and its helper graphs (the sampler) run on one stream, in order, while another model's
    // work runs on another stream beside it.
    private static readonly Dictionary<InferenceOptions, IntPtr> Streams = new(ReferenceEqualityComparer.Instance);

    private static IntPtr StreamFor(InferenceOptions options) =>
        StreamFor(options, () => CudaRuntime.CreateStream(options.CudaDeviceId, options.CudaStreamPriority));

    /// <summary>The stream of the model that loads with <paramref name="options"/>, made by <paramref name="create"/>
    /// the first time; zero when it runs on ONNX Runtime's own stream (pure but for the table: what a test can check).</summary>
    internal static IntPtr StreamFor(InferenceOptions options, Func<IntPtr> create)
    {
        if (!options.CudaStreamPerModel && options.CudaStreamPriority == 0) return IntPtr.Zero;
        lock (Streams)
        {
            if (!Streams.TryGetValue(options, out var stream))
                Streams[options] = stream = create();
            return stream;
        }
    }

    /// <summary>The stream a CUDA model's sessions were opened on (zero: ONNX Runtime's own, see
    /// <see cref="InferenceOptions.CudaStreamPerModel"/>).</summary>
    internal static IntPtr StreamOf(InferenceOptions options)
    {
        lock (Streams) return Streams.GetValueOrDefault(options);
    }

    /// <summary>The CUDA provider's options for these settings, plus one more, on <paramref name="stream"/> when it is
    /// not zero (pure: what a test can check).</summary>
    internal static Dictionary<string, string> CudaProviderOptions(InferenceOptions options, string key, string value, IntPtr stream = default)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (options.CudaMemoryLimitGiB < 0)
            throw new ArgumentException($"Inference:CudaMemoryLimitGiB must be >= 0 (0 = no limit), got {options.CudaMemoryLimitGiB.ToString(inv)}");
        if (options.CudaStreamPriority > 0)
            throw new ArgumentException($"Inference:CudaStreamPriority must be <= 0 (CUDA counts down: -5 outranks 0; 0 = ONNX Runtime's own stream), got {options.CudaStreamPriority}");
        var d = new Dictionary<string, string>
        {
            ["device_id"] = options.CudaDeviceId.ToString(inv),
            [key] = value,
        };
        if (stream != IntPtr.Zero)
        {
            d["has_user_compute_stream"] = "1";
            d["user_compute_stream"] = ((ulong)stream).ToString(inv);
        }
        if (options.CudaMemoryLimitGiB > 0)
        {
            d["gpu_mem_limit"] = ((long)(options.CudaMemoryLimitGiB * (1L << 30))).ToString(inv);
            d["arena_extend_strategy"] = "kSameAsRequested";
        }
        return d;
    }

    private static SessionOptions BaseOptions(InferenceOptions options)
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = options.ResolvedThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (!options.IntraOpSpinning) so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return so;
    }

    private static InferenceSession Open(string onnxPath, SessionOptions so)
    {
        try
        {
            return new InferenceSession(onnxPath, so);
        }
        catch (OnnxRuntimeException e) when (!e.Message.Contains("providers_cuda", StringComparison.Ordinal) && !e.Message.Contains("CUDA", StringComparison.Ordinal))
        {
            throw new ModelFormatException(onnxPath, $"not a loadable ONNX model: {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
