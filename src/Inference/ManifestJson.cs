namespace Pipeline.Inference;

// The manifest as written on disk (snake_case JSON); ManifestValidator turns it into a ModelManifest.
internal sealed class ManifestJson
{
    public string? Name { get; set; }
    public string? Role { get; set; }
    public string? Onnx { get; set; }
    public TokenizerJson? Tokenizer { get; set; }
    public string? BosToken { get; set; }
    public string? EosToken { get; set; }
    public string? PadToken { get; set; }
    public bool? AddBos { get; set; }
    public string? PromptTemplate { get; set; }
    public string? StepDelimiter { get; set; }
    public int? NumLayers { get; set; }
    public int? NumHeads { get; set; }
    public int? NumKvHeads { get; set; }
    public int? HeadSize { get; set; }
    public int? HiddenSize { get; set; }
    public int? VocabSize { get; set; }
    public int? MaxPositions { get; set; }
    public long? ParameterCount { get; set; }
    public string? Dtype { get; set; }
    public string? Logits { get; set; }
    public string? KvCache { get; set; }
    public PrmJson? Prm { get; set; }
    public RevisionJson? Revision { get; set; }
    // Imported checkpoints (docs/import-contract.md).
    public List<string>? StopTokens { get; set; }
    public string? ChatTemplate { get; set; }
    public string? SystemPrompt { get; set; }
    public SourceJson? Source { get; set; }
    public long? PretrainingTokens { get; set; }
}

internal sealed class SourceJson
{
    public string? Architecture { get; set; }
    public string? Checkpoint { get; set; }
    public string? ConfigSha256 { get; set; }
    public string? TorchDtype { get; set; }
}

internal sealed class TokenizerJson
{
    public string? Kind { get; set; }
    public string? Vocab { get; set; }
    public string? Merges { get; set; }
    public string? File { get; set; }
}

internal sealed class PrmJson
{
    public string? Head { get; set; }
    public string? Output { get; set; }
    public string? SeparatorToken { get; set; }
    public string? StepTag { get; set; }
    public string? GoodToken { get; set; }
    public string? BadToken { get; set; }
    public string? Format { get; set; }
    public int? LabelIndex { get; set; }
    public string? Input { get; set; }
    public List<int>? LabelTokenIds { get; set; }
    public string? StepToken { get; set; }
}

internal sealed class RevisionJson
{
    public int? MaxAttempts { get; set; }
    public string? AttemptTemplate { get; set; }
    public string? AttemptStepJoiner { get; set; }
    public string? RevisionPrefix { get; set; }
}
