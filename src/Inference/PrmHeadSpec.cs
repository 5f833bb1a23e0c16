namespace Pipeline.Inference;

public enum PrmHeadKind
{
    /// <summary>Output [batch, seq] already in [0,1]; read at the last token of each step's delimiter.</summary>
    Value,
    /// <summary>Output [batch, seq, 2]; softmax[1] at each separator token (Qwen2.5-Math-PRM style).</summary>
    TwoClass,
    /// <summary>Output [batch, seq, vocab]; P(good) over {good, bad} at each step tag (Math-Shepherd style).</summary>
    TokenLogits,
}

/// <summary>Which PRM head a model has and where its score is read (see docs/model-format.md).</summary>
public sealed record PrmHeadSpec(
    PrmHeadKind Head,
    string Output,
    string? SeparatorToken = null,
    string? StepTag = null,
    string? GoodToken = null,
    string? BadToken = null);
