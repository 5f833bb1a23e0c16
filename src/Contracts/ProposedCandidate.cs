namespace Pipeline.Contracts;

/// <summary>One sample of one <see cref="ExpansionRequest"/>.</summary>
/// <param name="Steps">The new steps (one in Step mode, all of them in Solution/Revision mode).</param>
/// <param name="Terminal">The sample ended the solution (EOS or a final answer), rather than at a step delimiter or a limit.</param>
/// <param name="FinishReason">"delimiter", "eos", "length" or "max_steps".</param>
/// <param name="Lookahead">Greedy rollout steps after the new step (lookahead search only; not part of the tree).</param>
/// <param name="StepScores">PRM score per new step; null until the verifier has scored it.</param>
/// <param name="LookaheadScore">PRM score at the end of the rollout, when there is one.</param>
public sealed record ProposedCandidate(
    int RequestIndex,
    int SampleIndex,
    long? ParentNodeId,
    IReadOnlyList<GeneratedStep> Steps,
    int PromptTokens,
    string FinishReason,
    bool Terminal,
    IReadOnlyList<GeneratedStep>? Lookahead = null,
    IReadOnlyList<double>? StepScores = null,
    double? LookaheadScore = null);
