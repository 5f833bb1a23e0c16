namespace Pipeline.Inference;

public enum PrmHeadKind
{
    /// <summary>Output [batch, seq] already in [0,1]; read at the last token of each step's delimiter.</summary>
    Value,
    /// <summary>Output [batch, seq, 2]; softmax[label_index, default 1] at each separator token (Qwen2.5-Math-PRM style).</summary>
    TwoClass,
    /// <summary>Output [batch, seq, vocab], or [batch, seq, 2] when the graph keeps only the label tokens'
    /// logits; P(good) over {good, bad} at each step tag (Math-Shepherd style).</summary>
    TokenLogits,
}

/// <summary>How an imported PRM's input is built from a problem and its steps (docs/import-contract.md,
/// docs/models.md "PRM input recipes"); <see cref="PrmAdapters"/> builds each.</summary>
public enum PrmInputKind
{
    /// <summary>Qwen2.5-Math-PRM: the chat template over system, user, assistant steps joined by the separator.</summary>
    Chat,
    /// <summary>Math-Shepherd: problem, space, steps each followed by " ки" and joined by newlines; BOS added.</summary>
    Plain,
    /// <summary>Skywork: BOS + problem + "\n", then each step's ids followed by the step token's id.</summary>
    PerStep,
    /// <summary>RLHFlow: alternating user steps and assistant "+" turns through the chat template.</summary>
    ChatTurns,
}

/// <summary>Which PRM head a model has and where its score is read (see docs/model-format.md).</summary>
/// <param name="Format">The imported family (qwen-prm, math-shepherd, skywork, rlhflow); null for hand-made PRMs.</param>
/// <param name="LabelIndex">For two-wide outputs, the class whose softmax probability is the score.</param>
/// <param name="Input">The input recipe; null: the layout of docs/model-format.md (<see cref="PrmLayout"/>).</param>
/// <param name="LabelTokenIds">The good and bad token ids the graph's two logits came from.</param>
/// <param name="StepToken">Skywork's step token (the text whose last token id follows each step).</param>
public sealed record PrmHeadSpec(
    PrmHeadKind Head,
    string Output,
    string? SeparatorToken = null,
    string? StepTag = null,
    string? GoodToken = null,
    string? BadToken = null,
    string? Format = null,
    int? LabelIndex = null,
    PrmInputKind? Input = null,
    IReadOnlyList<int>? LabelTokenIds = null,
    string? StepToken = null)
{
    /// <summary>The class read from a two-wide output: label_index, else 1 for a two-class head (P(correct)), 0 for token logits (P(good)).</summary>
    public int ScoreIndex => LabelIndex ?? (Head == PrmHeadKind.TwoClass ? 1 : 0);
}
