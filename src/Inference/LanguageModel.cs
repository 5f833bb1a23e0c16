using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>One loaded model: manifest, tokenizer and ONNX session. Load once per worker and share
/// (the session is thread-safe and holds the weights).</summary>
public sealed class LanguageModel : IDisposable
{
    private LanguageModel(ModelManifest manifest, TextTokenizer tokenizer, InferenceSession session, string provider, InferenceOptions options)
    {
        Manifest = manifest;
        Tokenizer = tokenizer;
        Session = session;
        ExecutionProvider = provider;
        Options = options;
        BosId = tokenizer.TokenId(manifest.BosToken, manifest.ManifestPath, "bos_token");
        EosId = tokenizer.TokenId(manifest.EosToken, manifest.ManifestPath, "eos_token");
        PadId = tokenizer.TokenId(manifest.PadToken, manifest.ManifestPath, "pad_token");
        StopIds = manifest.EffectiveStopTokens.Select(t => tokenizer.TokenId(t, manifest.ManifestPath, "stop_tokens")).ToHashSet();
        InputNames = session.InputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
        OutputNames = session.OutputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
    }

    public ModelManifest Manifest { get; }
    public TextTokenizer Tokenizer { get; }
    /// <summary>"CUDA" or "CPU".</summary>
    public string ExecutionProvider { get; }
    /// <summary>Where the model runs, as workers announce it: "cpu" or "cuda:N".</summary>
    public string Device => ExecutionProvider == "CUDA" ? $"cuda:{Options.CudaDeviceId}" : "cpu";
    public InferenceOptions Options { get; }
    public int BosId { get; }
    public int EosId { get; }
    public int PadId { get; }
    /// <summary>Ids that end a generation: the manifest's stop_tokens (default: eos).</summary>
    public IReadOnlySet<int> StopIds { get; }
    internal InferenceSession Session { get; }
    internal IReadOnlySet<string> InputNames { get; }
    internal IReadOnlySet<string> OutputNames { get; }

    /// <summary>Masked cache slots a prefill starts from: 0, or 1 for a graph that cannot run on an empty
    /// past (seen with the TorchScript export of the tiny models: ONNX Runtime reduces the empty past to
    /// a 0-length tensor). A masked slot changes nothing: its attention weight is exactly 0.</summary>
    internal int PrefillPastSlots { get; set; }

    /// <summary>Tests only: on CPU, treat presents as if they were on a GPU (not copyable), so the
    /// deferred-compaction path of the CUDA case runs without one.</summary>
    internal bool TreatCacheAsDevice { get; set; }

    /// <summary>Tests only: on CPU, run shared-cache decode steps at power-of-two batch sizes as CUDA
    /// graphs make them (idle slots padded in, live rows compacted into smaller powers of two).</summary>
    internal bool PowerOfTwoBatches { get; set; }

    /// <summary>Loads the model a manifest describes. Every missing or malformed file raises a
    /// <see cref="ModelFormatException"/> naming that file.</summary>
    public static LanguageModel Load(string manifestPath, InferenceOptions? options = null, ILogger? logger = null)
    {
        options ??= new InferenceOptions();
        var manifest = ModelManifest.Load(manifestPath);
        var tokenizer = LoadTokenizer(manifest);
        InferenceSession session;
        string provider;
        try
        {
            (session, provider) = SessionFactory.Create(manifest.OnnxPath, manifest.Name, options, logger ?? NullLogger.Instance,
                cudaGraphs: manifest.SharedKvCache && options.CudaGraphs);
        }
        catch
        {
            tokenizer.Dispose();
            throw;
        }
        try
        {
            var model = new LanguageModel(manifest, tokenizer, session, provider, options);
            model.CheckLayout();
            if (manifest.Role != ModelRole.Prm && !manifest.SharedKvCache && !model.RunsOnEmptyPast(out var reason))
            {
                model.PrefillPastSlots = 1;
                (logger ?? NullLogger.Instance).LogWarning("Model {Model} fails on an empty past ({Reason}); prefills start from one masked cache slot",
                    manifest.Name, reason);
            }
            return model;
        }
        catch
        {
            session.Dispose();
            tokenizer.Dispose();
            throw;
        }
    }

    /// <summary>The tokenizer of a manifest alone (no ONNX session): special tokens it names kept whole.</summary>
    public static TextTokenizer LoadTokenizer(ModelManifest manifest)
    {
        var specials = new[] { manifest.BosToken, manifest.EosToken, manifest.PadToken, manifest.Prm?.SeparatorToken, manifest.Prm?.StepTag }
            .Concat(manifest.StopTokens).OfType<string>().Distinct();
        return TextTokenizer.Load(manifest.Tokenizer, specials);
    }

    /// <summary>Prompt token ids: bos (when the manifest says so) and the text's tokens.</summary>
    public int[] EncodePrompt(string prompt)
    {
        var ids = Tokenizer.Encode(prompt);
        return Manifest.AddBos ? [BosId, .. ids] : ids;
    }

    // The graph must have the inputs and outputs its manifest's role implies (docs/model-format.md).
    private void CheckLayout()
    {
        var need = new List<string> { "input_ids" };
        var prm = Manifest.Role == ModelRole.Prm;
        need.AddRange(Manifest.SharedKvCache ? ["seqlens_k", "total_sequence_length", "last_index"] : ["attention_mask"]);
        var outs = new List<string>();
        if (Manifest.SharedKvCache) outs.Add("next_token");
        outs.Add(prm ? Manifest.Prm!.Output : "logits");
        if (Manifest.PrmPrefixCache) need.Add("position_ids");
        // A PRM has a cache only when it shares its candidates' prefixes (kv_cache "prefix").
        if (!prm || Manifest.PrmPrefixCache)
        {
            for (var i = 0; i < Manifest.NumLayers; i++)
            {
                need.Add($"past_key_values.{i}.key");
                need.Add($"past_key_values.{i}.value");
                outs.Add($"present.{i}.key");
                outs.Add($"present.{i}.value");
            }
        }
        foreach (var name in need.Where(n => !InputNames.Contains(n)))
            throw new ModelFormatException(Manifest.OnnxPath, $"graph has no input '{name}' (manifest {Manifest.ManifestPath} says num_layers={Manifest.NumLayers}, role={Manifest.Role})");
        foreach (var name in outs.Where(n => !OutputNames.Contains(n)))
            throw new ModelFormatException(Manifest.OnnxPath, $"graph has no output '{name}'");
    }

    private bool RunsOnEmptyPast(out string reason)
    {
        using var runner = new DecoderRunner(this);
        using var empty = runner.InitialCache(1, slots: 0);
        try
        {
            var (logits, present) = runner.Forward([BosId], [1], [0], 1, 1, empty, hostPresent: true, quiet: true);
            logits.Dispose();
            present.Dispose();
            reason = "";
            return true;
        }
        catch (OnnxRuntimeException e)
        {
            reason = e.Message.Split('\n')[0];
            return false;
        }
    }

    private DeviceThread? _deviceThread;
    private readonly Lock _deviceThreadInit = new();

    /// <summary>Runs a call of this model off the caller's thread: on CUDA on the model's own <see cref="DeviceThread"/>
    /// (ONNX Runtime keeps captured graphs per thread), on CPU on the thread pool as before (no graphs; calls of a model
    /// without a shared cache may run side by side there).</summary>
    internal Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (ExecutionProvider != "CUDA") return Task.Run(work, cancellationToken);
        // not SharedDecoderLock: a running generation holds that one for its whole length
        DeviceThread thread;
        lock (_deviceThreadInit)
            thread = _deviceThread ??= new DeviceThread($"cuda {Manifest.Name}");
        return thread.RunAsync(work, cancellationToken);
    }

    private SharedKvDecoder? _sharedDecoder;

    /// <summary>Held while a generation uses <see cref="SharedDecoder"/>: its buffers are one per model, and a GPU runs
    /// one decode at a time anyway.</summary>
    internal object SharedDecoderLock { get; } = new();

    /// <summary>The shared-cache decoder of this model (kv_cache "shared"), created on first use and kept:
    /// its device buffers and CUDA graphs are reused by every later generation.</summary>
    internal SharedKvDecoder SharedDecoder => _sharedDecoder ??= new SharedKvDecoder(this);

    private PrefixPrmScorer? _prefixPrm;

    /// <summary>The prefix-sharing runner of this PRM (kv_cache "prefix"), created on first use and kept
    /// (its device buffers are reused); callers hold <see cref="SharedDecoderLock"/>.</summary>
    internal PrefixPrmScorer PrefixPrm => _prefixPrm ??= new PrefixPrmScorer(this);

    public void Dispose()
    {
        _deviceThread?.Dispose();   // lets queued calls finish before their buffers and session go
        _sharedDecoder?.Dispose();
        _prefixPrm?.Dispose();
        Session.Dispose();
        Tokenizer.Dispose();
    }
}
