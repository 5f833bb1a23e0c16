using System.Globalization;

namespace Pipeline.Search;

/// <summary>One strategy configuration of a run, at one budget.</summary>
/// <param name="Budget">N: number of generations, as in the paper.</param>
/// <param name="BeamWidth">M for beam, lookahead and DVTS; null means sqrt(N) (see <see cref="EffectiveBeamWidth"/>).</param>
/// <param name="Lookahead">k: greedy rollout steps after each sampled step (lookahead search only).</param>
/// <param name="ChainLength">L: attempts per revision chain; N/L chains run in parallel (revisions only).</param>
/// <param name="MaxRounds">Most rounds one search may run (search-and-learn's num_iterations).</param>
/// <param name="FilterDuplicates">Beam, lookahead and DVTS: partial solutions with identical text count once when
/// choosing the beams to expand (search-and-learn's filter_duplicates; <see cref="DistinctBeams"/>).</param>
public sealed record StrategyConfig(
    StrategyKind Kind,
    int Budget,
    int? BeamWidth = null,
    int Lookahead = 0,
    int ChainLength = 0,
    int MaxRounds = StrategyConfig.DefaultMaxRounds,
    double Temperature = StrategyConfig.DefaultTemperature,
    bool FilterDuplicates = false)
{
    public const int DefaultMaxRounds = 40;
    public const double DefaultTemperature = 0.8;

    public static StrategyConfig BestOfN(int budget) => new(StrategyKind.BestOfN, budget);
    public static StrategyConfig Beam(int budget, int? beamWidth = null) => new(StrategyKind.Beam, budget, beamWidth);
    public static StrategyConfig LookaheadSearch(int budget, int lookahead, int? beamWidth = null) =>
        new(StrategyKind.Lookahead, budget, beamWidth, lookahead);
    public static StrategyConfig Dvts(int budget, int? beamWidth = null) => new(StrategyKind.Dvts, budget, beamWidth);
    public static StrategyConfig Revisions(int budget, int chainLength) =>
        new(StrategyKind.Revisions, budget, ChainLength: chainLength);

    /// <summary>True for the kinds that have a beam width M.</summary>
    public bool UsesBeamWidth => Kind is StrategyKind.Beam or StrategyKind.Lookahead or StrategyKind.Dvts;

    /// <summary>M is "sqrt": stored and shown as such, resolved per budget by <see cref="EffectiveBeamWidth"/>.</summary>
    public bool BeamWidthIsSqrt => UsesBeamWidth && BeamWidth is null;

    /// <summary>
    /// M actually used. For sqrt: the divisor of N nearest to sqrt(N) (the smaller one on a tie), because
    /// N/M beams must be a whole number: N=16 gives 4, N=8 gives 2, N=32 gives 4, N=2 gives 1.
    /// </summary>
    public int EffectiveBeamWidth
    {
        get
        {
            if (!UsesBeamWidth) throw new InvalidOperationException($"{Label} has no beam width");
            return BeamWidth ?? SqrtDivisor(Budget);
        }
    }

    /// <summary>Stable short name, without N: best_of_n, beam(M=4), beam(M=sqrt), beam(M=4,dedup), lookahead(M=4,k=1), dvts(M=4), revisions(L=4).</summary>
    public string Label => StrategyLabel.Format(this);

    /// <summary>Every problem with this configuration, in words; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var name = $"{Label} with N={Budget}";
        if (Budget < 1) errors.Add($"{name}: the budget N must be at least 1");
        if (MaxRounds < 1) errors.Add($"{name}: MaxRounds must be at least 1 (got {MaxRounds})");
        if (!double.IsFinite(Temperature) || Temperature < 0)
            errors.Add($"{name}: Temperature must be a finite number >= 0 (got {Temperature.ToString(CultureInfo.InvariantCulture)})");

        if (UsesBeamWidth)
        {
            if (BeamWidth is { } m)
            {
                if (m < 1) errors.Add($"{name}: the beam width M must be at least 1 (got {m})");
                else if (m > Budget) errors.Add($"{name}: the beam width M={m} is larger than the budget N={Budget}");
                else if (Budget % m != 0) errors.Add($"{name}: N must be divisible by the beam width M ({Budget} % {m} = {Budget % m})");
            }
        }
        else if (BeamWidth is not null)
            errors.Add($"{name}: a beam width M is only meaningful for beam, lookahead and dvts");
        if (FilterDuplicates && !UsesBeamWidth)
            errors.Add($"{name}: filter_duplicates is only meaningful for beam, lookahead and dvts");

        if (Kind == StrategyKind.Lookahead && Lookahead < 1)
            errors.Add($"{name}: lookahead search needs k >= 1 rollout steps (got {Lookahead}); k=0 is beam search");
        if (Kind != StrategyKind.Lookahead && Lookahead != 0)
            errors.Add($"{name}: lookahead steps k={Lookahead} are only meaningful for lookahead search");

        if (Kind == StrategyKind.Revisions)
        {
            if (ChainLength < 1) errors.Add($"{name}: the chain length L must be at least 1 (got {ChainLength})");
            else if (Budget >= 1 && Budget % ChainLength != 0)
                errors.Add($"{name}: N must be divisible by the chain length L ({Budget} % {ChainLength} = {Budget % ChainLength})");
            else if (ChainLength > MaxRounds)
                errors.Add($"{name}: the chain length L={ChainLength} needs L rounds but MaxRounds is {MaxRounds}");
        }
        else if (ChainLength != 0)
            errors.Add($"{name}: a chain length L is only meaningful for revisions");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, or returns this.</summary>
    public StrategyConfig EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid strategy config: " + string.Join("; ", errors));
        return this;
    }

    public override string ToString() => $"{Label} N={Budget}";

    internal static int SqrtDivisor(int n)
    {
        if (n < 1) return 1;
        var root = Math.Sqrt(n);
        var best = 1;
        for (var d = 1; d <= n; d++)
            if (n % d == 0 && Math.Abs(d - root) < Math.Abs(best - root)) best = d;
        return best;
    }
}
