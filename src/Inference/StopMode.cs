namespace Pipeline.Inference;

public enum StopMode
{
    /// <summary>Stop at the first step delimiter (or EOS, or the token limit).</summary>
    Step,
    /// <summary>Go on through step delimiters until EOS, the step limit or the token limit.</summary>
    Solution,
}
