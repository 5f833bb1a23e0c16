namespace Pipeline.Storage.Entities;

/// <summary>One question of a dataset (table <c>problems</c>). Written by binary COPY on import.</summary>
public sealed class Problem
{
    public long ProblemId { get; set; }
    public int DatasetId { get; set; }
    /// <summary>0-based position among the file's problems (blank lines do not count).</summary>
    public int Ordinal { get; set; }
    public required string UniqueId { get; set; }
    public required string Text { get; set; }
    public string? Solution { get; set; }
    /// <summary>Gold final answer (GSM8K: the part after "####").</summary>
    public required string Answer { get; set; }
    public string? Subject { get; set; }
    public int? Level { get; set; }
}
