namespace Pipeline.Storage.Entities;

/// <summary>One imported problem file (table <c>datasets</c>).</summary>
public sealed class Dataset
{
    public int DatasetId { get; set; }
    public required string Name { get; set; }
    /// <summary>"math" or "gsm8k": the line format the file was read with.</summary>
    public required string Format { get; set; }
    public required string SourceFile { get; set; }
    public int ProblemCount { get; set; }
    public DateTime ImportedAt { get; set; }
}
