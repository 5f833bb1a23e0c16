namespace Pipeline.Inference;

/// <summary>The synthetic backend (<c>Inference__Backend=synthetic</c>), bound from "Inference:Synthetic"
/// (env: <c>Inference__Synthetic__TokensPerStep=40</c>, ...): deterministic steps with no model behind them, so
/// the services, broker and database can be measured (and broken on purpose) without inference.</summary>
public sealed class SyntheticOptions
{
    public const string SectionName = "Inference:Synthetic";

    /// <summary>A solution's final answer comes at this step (1-based): depth StepsPerSolution - 1 is terminal.</summary>
    public int StepsPerSolution { get; set; } = 4;

    /// <summary>Tokens each step reports; its text is about 4 characters per token, as English text is.</summary>
    public int TokensPerStep { get; set; } = 40;

    /// <summary>Answers are drawn from 0 .. AnswerRange - 1, so aggregators see ties and majorities.</summary>
    public int AnswerRange { get; set; } = 8;

    /// <summary>Time one proposal batch takes, whatever its size (a GPU's batched call is about flat in batch size).</summary>
    public int ProposalLatencyMs { get; set; }

    /// <summary>Time one verifier batch takes.</summary>
    public int VerifierLatencyMs { get; set; }
}

/// <summary>The synthetic backend's text and scores: pure functions of (seed, sample index, depth) and of a
/// step's text, so a redelivered round, a restarted worker or another process gives the same bytes.</summary>
public static class SyntheticText
{
    public const string BackendName = "synthetic";

    /// <summary>Checks the <c>Inference:Backend</c> value: true for synthetic, false for onnx (the default).</summary>
    public static bool IsSynthetic(string? backend) => (backend ?? "onnx").Trim().ToLowerInvariant() switch
    {
        "" or "onnx" => false,
        BackendName => true,
        var other => throw new InvalidOperationException(
            $"configuration Inference:Backend (env Inference__Backend): '{other}' is not a backend (onnx or synthetic)"),
    };

    /// <summary>Step <paramref name="depth"/> (0-based) of sample <paramref name="sampleIndex"/> seeded by <paramref name="seed"/>;
    /// the step at depth StepsPerSolution - 1 holds the final answer.</summary>
    public static (string Text, bool Final) Step(SyntheticOptions o, long seed, int sampleIndex, int depth)
    {
        var rng = new SampleRng(seed, sampleIndex);
        for (var i = 0; i < depth; i++) rng.NextUInt64();
        var a = rng.NextUInt64();
        if (depth >= o.StepsPerSolution - 1)
            return ($"So the answer is $\\boxed{{{a % (ulong)Math.Max(1, o.AnswerRange)}}}$.", true);
        var text = $"Step {depth + 1}: {a:x16}";
        var length = Math.Max(text.Length, o.TokensPerStep * 4);
        return (text.PadRight(length, '.'), false);
    }

    /// <summary>A score in [0, 1) from the step's text (FNV-1a: string.GetHashCode differs between processes).</summary>
    public static double Score(string problem, IReadOnlyList<string> steps, int index)
    {
        var h = 14695981039346656037UL;
        foreach (var s in new[] { problem }.Concat(steps.Take(index + 1)))
            foreach (var c in s) h = (h ^ c) * 1099511628211UL;
        h ^= h >> 29;
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
