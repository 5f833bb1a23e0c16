using Pipeline.Contracts;
using Pipeline.Search;

namespace Pipeline.Aggregator;

/// <summary>Everything about one search that the Aggregator reads from PostgreSQL (searches + runs + problems).</summary>
/// <param name="SystemPrompt">The run spec's <c>system_prompt</c> (read from runs.spec_json), null when it has none.</param>
/// <param name="RoundAgeSeconds">Seconds since the current round was requested, by the database clock; null before the first request.</param>
public sealed record SearchSpec(
    long SearchId,
    Guid RunId,
    long ProblemId,
    string Problem,
    string GoldAnswer,
    string Status,
    int CurrentRound,
    StrategyConfig Strategy,
    string PolicyModel,
    string PrmModel,
    string? RevisionModel,
    SamplingSettings Sampling,
    long Seed,
    ModelSizes Sizes,
    double? RoundAgeSeconds = null,
    string? SystemPrompt = null);
