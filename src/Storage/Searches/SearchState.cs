using Pipeline.Contracts;
using Pipeline.Search;

namespace Pipeline.Storage.Searches;

/// <summary>Everything about one search that the Aggregator needs (searches + runs + problems), as
/// <see cref="SearchStateStore.LockAsync"/> reads it.</summary>
/// <param name="Strategy">Built from the typed columns (strategy, budget, beam_width, beam_width_is_sqrt,
/// lookahead, chain_length, max_rounds, filter_duplicates) and the run's temperature.</param>
/// <param name="Sizes">Parameter counts recorded on the run at submit.</param>
/// <param name="RoundAgeSeconds">Seconds since the current round was requested, by the database clock; null before the first request.</param>
/// <param name="SystemPrompt">The run spec's <c>system_prompt</c> (chat-template models), null when it has none.</param>
public sealed record SearchState(
    long SearchId,
    Guid RunId,
    long ProblemId,
    string Problem,
    string GoldAnswer,
    SearchStatus Status,
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
