namespace Pipeline.Contracts;

/// <summary>Aggregator -> ProposalWorker: every expansion one search needs in one round.
/// A whole round travels as one message (never one per step): the broker moves ~5k msg/s,
/// a GPU batch consumes hundreds of sequences at a time.</summary>
/// <param name="LookaheadSteps">k &gt; 0: after each sampled step, roll out k more steps greedily; the PRM scores the rollout's end.</param>
/// <param name="SystemPrompt">The run spec's system message for models with a chat template; null: the manifest's system_prompt.</param>
public sealed record ExpandRound(
    Guid RunId,
    long SearchId,
    int Round,
    string PolicyModel,
    string VerifierModel,
    string Problem,
    GenerationMode Mode,
    SamplingSettings Sampling,
    int LookaheadSteps,
    IReadOnlyList<ExpansionRequest> Requests,
    string? SystemPrompt = null);
