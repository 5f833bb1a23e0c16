using Pipeline.Search;
using Pipeline.Storage.Searches;

namespace Pipeline.Storage.Entities;

/// <summary>One search: one problem x one strategy config x one budget (table <c>searches</c>).
/// Named SearchRecord because <c>Search</c> would collide with the Pipeline.Search namespace.</summary>
public sealed class SearchRecord
{
    public long SearchId { get; set; }
    public Guid RunId { get; set; }
    public long ProblemId { get; set; }
    public StrategyKind Strategy { get; set; }
    /// <summary>Display only (<see cref="Pipeline.Search.StrategyLabel"/>): the config is read back from the typed columns.</summary>
    public required string StrategyLabel { get; set; }
    public int Budget { get; set; }
    /// <summary>Resolved beam width M (for "sqrt" this is the rounded square root of the budget); null when the strategy has none.</summary>
    public int? BeamWidth { get; set; }
    public bool BeamWidthIsSqrt { get; set; }
    public int Lookahead { get; set; }
    public int? ChainLength { get; set; }
    public bool FilterDuplicates { get; set; }
    public int MaxRounds { get; set; }
    public SearchStatus Status { get; set; }
    public int CurrentRound { get; set; } = -1;
    public DateTime? RoundRequestedAt { get; set; }
    public DateTime? RoundAcceptedAt { get; set; }
    public int RoundRequests { get; set; }
    public DateTime? LastRoundRequestAt { get; set; }
    public DateTime? RoundFaultedAt { get; set; }
    public string? FailureReason { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
