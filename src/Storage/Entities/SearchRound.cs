namespace Pipeline.Storage.Entities;

/// <summary>Marks one round of one search as stored (table <c>search_rounds</c>); inserted in the same
/// transaction as the round's steps, so a redelivered round is recognised and skipped.</summary>
public sealed class SearchRound
{
    public long SearchId { get; set; }
    public int Round { get; set; }
    public DateTime CompletedAt { get; set; }
    public int Candidates { get; set; }
    public long GeneratedTokens { get; set; }
}
