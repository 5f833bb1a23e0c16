namespace Pipeline.Contracts;

/// <summary>What the proposal worker generates for each sample of an <see cref="ExpansionRequest"/>.</summary>
public enum GenerationMode
{
    /// <summary>One step (up to the step delimiter, EOS or the token limit).</summary>
    Step = 0,
    /// <summary>A whole solution, returned split into steps.</summary>
    Solution = 1,
    /// <summary>A whole solution from the revision model, prompted with earlier attempts.</summary>
    Revision = 2,
}
