namespace Pipeline.Contracts;

/// <summary>Why a sample stopped generating (stored as <c>steps.finish_reason</c> on its last step).</summary>
public enum FinishReason
{
    /// <summary>At the step delimiter (step mode: the step is done, the solution goes on).</summary>
    Delimiter = 0,
    /// <summary>The model emitted end-of-sequence.</summary>
    Eos = 1,
    /// <summary>The token limit of the generation call.</summary>
    Length = 2,
    /// <summary>The solution reached the run's most steps and was cut there.</summary>
    MaxSteps = 3,
}

/// <summary>The names finish reasons go by in the inference engine and in <c>steps.finish_reason</c>.</summary>
public static class FinishReasonNames
{
    public static readonly IReadOnlyList<FinishReason> All = [FinishReason.Delimiter, FinishReason.Eos, FinishReason.Length, FinishReason.MaxSteps];

    /// <summary>delimiter, eos, length, max_steps.</summary>
    public static string Name(this FinishReason reason) => reason switch
    {
        FinishReason.Delimiter => "delimiter",
        FinishReason.Eos => "eos",
        FinishReason.Length => "length",
        FinishReason.MaxSteps => "max_steps",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown finish reason"),
    };

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();

    public static FinishReason Parse(string name)
    {
        foreach (var r in All)
            if (r.Name() == name) return r;
        throw new FormatException($"'{name}' is not a finish reason (one of {string.Join(", ", Names)})");
    }
}
