using System.Text.Json;

namespace Pipeline.Inference;

/// <summary>A model's manifest (<c>*.manifest.json</c>, format in docs/model-format.md), with every path
/// made absolute and every field checked. <see cref="Load"/> is the only way in, so a model that loads
/// is a model whose files exist.</summary>
public sealed record ModelManifest
{
    public required string ManifestPath { get; init; }
    public required string Name { get; init; }
    public required ModelRole Role { get; init; }
    public required string OnnxPath { get; init; }
    public required TokenizerSpec Tokenizer { get; init; }
    public required string BosToken { get; init; }
    public required string EosToken { get; init; }
    public required string PadToken { get; init; }
    public required bool AddBos { get; init; }
    public required string PromptTemplate { get; init; }
    public required string StepDelimiter { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKvHeads { get; init; }
    public required int HeadSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int VocabSize { get; init; }
    public required int MaxPositions { get; init; }
    public required long ParameterCount { get; init; }
    /// <summary>"float32" or "float16": the element type of the KV cache (logits may be either; the engine reads both).</summary>
    public required string Dtype { get; init; }
    /// <summary>Manifest <c>"logits": "last"</c>: the graph returns logits for the last position only
    /// ([batch, 1, vocab]) rather than for every position ("all", the default).</summary>
    public bool LastLogitsOnly { get; init; }
    /// <summary>Manifest <c>"kv_cache": "shared"</c>: the decoder keeps its cache in place, in a buffer
    /// [batch, kv_heads, max_seq, head_size] that is both past input and present output, each row's
    /// tokens from position 0 (GroupQueryAttention with <c>seqlens_k</c>; docs/model-format.md). The
    /// default, "concat", returns a present one position longer than its past.</summary>
    public bool SharedKvCache { get; init; }
    /// <summary>Manifest <c>"kv_cache": "prefix"</c> (PRMs only): the PRM graph takes a past and returns its
    /// present in the concat layout, so candidates that share a prefix score it once (PrefixPrmScorer).</summary>
    public bool PrmPrefixCache { get; init; }
    public PrmHeadSpec? Prm { get; init; }
    public RevisionFormat? Revision { get; init; }
    /// <summary>Token strings that end a generation (manifest <c>stop_tokens</c>; default: the eos token).</summary>
    public IReadOnlyList<string> StopTokens { get; init; } = [];
    /// <summary>Absolute path of the chat template (manifest <c>chat_template</c>); null: <see cref="PromptTemplate"/> is used.</summary>
    public string? ChatTemplatePath { get; init; }
    /// <summary>The system message of chat prompts unless a run spec gives one (manifest <c>system_prompt</c>).</summary>
    public string? SystemPrompt { get; init; }
    /// <summary>Where an imported model came from (manifest <c>source</c>); null for hand-made models.</summary>
    public ModelSource? Source { get; init; }
    /// <summary>Pretraining token count for FLOPs analysis; null = unknown.</summary>
    public long? PretrainingTokens { get; init; }

    /// <summary>The stop tokens, or the eos token when the manifest names none.</summary>
    public IReadOnlyList<string> EffectiveStopTokens => StopTokens.Count > 0 ? StopTokens : [EosToken];

    /// <summary>The policy prompt for a problem: the manifest's template with <c>{problem}</c> filled in.</summary>
    public string FormatPrompt(string problem) => PromptTemplate.Replace("{problem}", problem, StringComparison.Ordinal);

    /// <summary>Reads and checks a manifest. Throws <see cref="ModelFormatException"/> naming the manifest
    /// (or the missing file it points to), the line and the field at fault.</summary>
    public static ModelManifest Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new ModelFormatException(full, "model manifest not found");
        var text = File.ReadAllText(full);
        ManifestJson dto;
        try
        {
            dto = JsonSerializer.Deserialize<ManifestJson>(text, JsonOptions)
                  ?? throw new ModelFormatException(full, "line 1: the manifest is JSON null, expected an object");
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "" : $" field '{e.Path.TrimStart('$', '.')}':";
            throw new ModelFormatException(full, $"line {(e.LineNumber ?? 0) + 1}:{field} malformed JSON ({e.Message})", e);
        }
        return new ManifestValidator(full, text).Validate(dto);
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };
}
