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
}

internal sealed class RevisionJson
{
    public int? MaxAttempts { get; set; }
    public string? AttemptTemplate { get; set; }
    public string? AttemptStepJoiner { get; set; }
    public string? RevisionPrefix { get; set; }
}
