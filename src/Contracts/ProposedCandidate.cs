namespace Pipeline.Contracts;

/// <summary>One sample of one <see cref="ExpansionRequest"/>, as the proposal worker generated it (not yet scored).</summary>
/// <param name="Steps">The new steps (one in Step mode, all of them in Solution/Revision mode).</param>
/// <param name="Terminal">The sample ended the solution (EOS or a final answer), rather than at a step delimiter or a limit.</param>
/// <param name="Lookahead">Greedy rollout steps after the new step (lookahead search only; not part of the tree).</param>
public sealed record ProposedCandidate(
    int RequestIndex,
    int SampleIndex,
    long? ParentNodeId,
    IReadOnlyList<GeneratedStep> Steps,
    int PromptTokens,
    FinishReason FinishReason,
    bool Terminal,
    IReadOnlyList<GeneratedStep>? Lookahead = null);
