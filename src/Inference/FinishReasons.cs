namespace Pipeline.Inference;

/// <summary>Why a sample stopped; the same strings travel in Pipeline.Contracts.ProposedCandidate.</summary>
public static class FinishReasons
{
    public const string Delimiter = "delimiter";
    public const string Eos = "eos";
    public const string Length = "length";
    public const string MaxSteps = "max_steps";
}
