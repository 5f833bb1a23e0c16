using Microsoft.Extensions.Logging;

namespace Pipeline.Inference.Tests;

public sealed class ExecutionProviderTests
{
    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    [Fact]
    public void Auto_picks_cuda_or_says_why_it_fell_back_to_cpu_once()
    {
        var log = new ListLogger();
        using var model = LanguageModel.Load(TestPaths.Tiny("policy.manifest.json"), new InferenceOptions { IntraOpThreads = 1 }, log);
        var choice = Assert.Single(log.Lines, l => l.Contains("execution provider"));
        if (model.ExecutionProvider == "CPU")
            Assert.Contains("CUDA unavailable", choice);
        else
            Assert.Contains("CUDA", choice);
    }

    [Fact]
    public void Cpu_when_asked()
    {
        var log = new ListLogger();
        using var model = LanguageModel.Load(TestPaths.Tiny("prm.manifest.json"), new InferenceOptions { Device = "cpu", IntraOpThreads = 1 }, log);
        Assert.Equal("CPU", model.ExecutionProvider);
        Assert.Contains(log.Lines, l => l.Contains("Inference:Device=cpu"));
    }

    [Fact]
    public async Task Runs_without_spinning_threads()
    {
        using var model = LanguageModel.Load(TestPaths.Tiny("policy.manifest.json"), new InferenceOptions { Device = "cpu", IntraOpThreads = 2, IntraOpSpinning = false });
        var result = await new Generator(model).GenerateAsync([new GenerationRequest("Compute $1+1$.\n\n", MaxNewTokens: 5, IgnoreStops: true)]);
        Assert.Equal(5, result[0].Samples[0].GeneratedTokens);
    }

    [Fact]
    public void Unknown_device_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => LanguageModel.Load(TestPaths.Tiny("prm.manifest.json"), new InferenceOptions { Device = "tpu" }));
        Assert.Contains("tpu", e.Message);
    }

    [Fact]
    public void Cuda_memory_limit_becomes_an_arena_limit_that_grows_as_asked()
    {
        var none = SessionFactory.CudaProviderOptions(new InferenceOptions { CudaDeviceId = 1 }, "enable_cuda_graph", "1");
        Assert.Equal("1", none["device_id"]);
        Assert.Equal("1", none["enable_cuda_graph"]);
        Assert.False(none.ContainsKey("gpu_mem_limit"));

        var limited = SessionFactory.CudaProviderOptions(new InferenceOptions { CudaMemoryLimitGiB = 40.5 }, "use_tf32", "0");
        Assert.Equal((40L * 1024 * 1024 * 1024 + 512L * 1024 * 1024).ToString(), limited["gpu_mem_limit"]);
        Assert.Equal("kSameAsRequested", limited["arena_extend_strategy"]);

        var e = Assert.Throws<ArgumentException>(() => SessionFactory.CudaProviderOptions(new InferenceOptions { CudaMemoryLimitGiB = -1 }, "k", "v"));
        Assert.Contains("CudaMemoryLimitGiB", e.Message);
    }

    [Fact]
    public void A_stream_priority_runs_the_session_on_a_stream_of_its_own()
    {
        var own = SessionFactory.CudaProviderOptions(new InferenceOptions(), "enable_cuda_graph", "1");
        Assert.False(own.ContainsKey("user_compute_stream"));

        var given = SessionFactory.CudaProviderOptions(new InferenceOptions { CudaStreamPriority = -5 }, "enable_cuda_graph", "1", new IntPtr(0x7f00_1234_5000L));
        Assert.Equal("1", given["has_user_compute_stream"]);
        Assert.Equal(0x7f00_1234_5000L.ToString(), given["user_compute_stream"]);

        var e = Assert.Throws<ArgumentException>(() => SessionFactory.CudaProviderOptions(new InferenceOptions { CudaStreamPriority = 2 }, "k", "v"));
        Assert.Contains("CudaStreamPriority", e.Message);
    }

    [Fact]
    public void Each_model_gets_a_stream_of_its_own_that_its_helper_graphs_share()
    {
        var made = 0;
        IntPtr Make() => new(0x1000 * ++made);
        var policy = new InferenceOptions();
        var prm = new InferenceOptions();   // same values, another model (another role's section)

        var first = SessionFactory.StreamFor(policy, Make);
        Assert.NotEqual(IntPtr.Zero, first);
        Assert.Equal(first, SessionFactory.StreamFor(policy, Make));   // the sampler of the same model
        Assert.Equal(first, SessionFactory.StreamOf(policy));
        var second = SessionFactory.StreamFor(prm, Make);
        Assert.NotEqual(first, second);
        Assert.Equal(2, made);

        // Off: ONNX Runtime's own stream, none made, unless a priority asks for one.
        var off = new InferenceOptions { CudaStreamPerModel = false };
        Assert.Equal(IntPtr.Zero, SessionFactory.StreamFor(off, Make));
        Assert.Equal(IntPtr.Zero, SessionFactory.StreamOf(off));
        Assert.NotEqual(IntPtr.Zero, SessionFactory.StreamFor(new InferenceOptions { CudaStreamPerModel = false, CudaStreamPriority = -2 }, Make));
        Assert.Equal(3, made);
    }

    [Fact]
    public void A_stream_priority_without_a_cuda_runtime_falls_back_to_cpu_under_auto()
    {
        // No libcudart here: making the stream fails like a missing provider, and "auto" settles on the CPU.
        using var model = LanguageModel.Load(TestPaths.Tiny("prm.manifest.json"),
            new InferenceOptions { Device = "auto", CudaStreamPriority = -1, IntraOpThreads = 1 });
        Assert.Equal("CPU", model.ExecutionProvider);
    }
}
