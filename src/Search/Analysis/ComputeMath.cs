namespace Pipeline.Search.Analysis;

/// <summary>
/// The math of the paper's analysis, as pure functions: the best-of-N budget that matches an accuracy (log-budget
/// interpolation), a curve's accuracy at a budget, the FLOPs-matched budget multiplier, and the choice of revision
/// chain length. The SQL functions in <c>src/Storage/Functions/</c> compute the same; a test checks that they agree.
/// </summary>
public static class ComputeMath
{
    /// <summary>Inference-to-pretraining token ratios R the paper compares at (Snell et al. 2024, section 7).</summary>
    public static readonly IReadOnlyList<double> PaperInferenceToPretraining = [0.16, 0.79, 22];

    /// <summary>
    /// The smallest budget at which <paramref name="curve"/> (budgets strictly ascending) reaches
    /// <paramref name="target"/>: at the first crossing, linear in log(budget) between the point below and the point
    /// at or above the target. Budgets are compared on a log axis because accuracy grows about linearly in log N.
    /// </summary>
    public static BudgetToReach BudgetToReach(IReadOnlyList<CurvePoint> curve, double target)
    {
        CheckCurve(curve);
        if (curve.Count == 0) return new(null, BudgetMatch.NotReached);
        if (curve[0].Accuracy >= target) return new(curve[0].Budget, BudgetMatch.AtSmallest);
        for (var i = 1; i < curve.Count; i++)
        {
            if (curve[i].Accuracy < target) continue;
            // an exact hit is that point's budget, not exp(log) of it, so whole budgets stay whole
            if (curve[i].Accuracy == target) return new(curve[i].Budget, BudgetMatch.Interpolated);
            var (lo, hi) = (curve[i - 1], curve[i]);
            var t = (target - lo.Accuracy) / (hi.Accuracy - lo.Accuracy);
            return new(Math.Exp(Math.Log(lo.Budget) + t * (Math.Log(hi.Budget) - Math.Log(lo.Budget))), BudgetMatch.Interpolated);
        }
        return new(null, BudgetMatch.NotReached);
    }

    /// <summary>The curve's accuracy at <paramref name="budget"/>, linear in log(budget) between neighbours; null outside
    /// the curve's budgets (no extrapolation).</summary>
    public static double? AccuracyAtBudget(IReadOnlyList<CurvePoint> curve, double budget)
    {
        CheckCurve(curve);
        if (curve.Count == 0 || budget < curve[0].Budget || budget > curve[^1].Budget) return null;
        for (var i = 0; i < curve.Count; i++)
        {
            if (curve[i].Budget == budget) return curve[i].Accuracy;
            if (curve[i].Budget < budget) continue;
            var (lo, hi) = (curve[i - 1], curve[i]);
            var t = (Math.Log(budget) - Math.Log(lo.Budget)) / (Math.Log(hi.Budget) - Math.Log(lo.Budget));
            return lo.Accuracy + t * (hi.Accuracy - lo.Accuracy);
        }
        return null;
    }

    /// <summary>
    /// How many times the large model's inference tokens the small one may spend for the same total FLOPs
    /// (pretraining 6 N D_pretrain + inference 2 N D_inference): M + 3 (M P - 1) / R, where M = N_large / N_small,
    /// P = D_pretrain,large / D_pretrain,small and R = D_inference / D_pretrain,small. With P = 1 it is the paper's
    /// M + 3 (D_pretrain / D_inference)(M - 1).
    /// </summary>
    public static double FlopsMatchedMultiplier(double parameterRatio, double pretrainingTokenRatio, double inferenceToPretraining)
    {
        if (!(parameterRatio > 0)) throw new ArgumentOutOfRangeException(nameof(parameterRatio), parameterRatio, "parameter ratio M must be > 0");
        if (!(pretrainingTokenRatio > 0)) throw new ArgumentOutOfRangeException(nameof(pretrainingTokenRatio), pretrainingTokenRatio, "pretraining token ratio must be > 0");
        if (!(inferenceToPretraining > 0)) throw new ArgumentOutOfRangeException(nameof(inferenceToPretraining), inferenceToPretraining, "R = D_inference / D_pretrain must be > 0");
        return parameterRatio + 3 * (parameterRatio * pretrainingTokenRatio - 1) / inferenceToPretraining;
    }

    /// <summary>The revision chain length (with aggregator and step aggregation) of highest accuracy; ties go to the
    /// shorter chain (more parallel: cheaper in latency), then to names in ordinal order, as the SQL view
    /// <c>revision_ratio_optimal</c> sorts them (COLLATE "C").</summary>
    public static RatioPoint? SelectRatio(IEnumerable<RatioPoint> points) =>
        points.Where(p => p.Aggregator != "pass")
            .OrderByDescending(p => p.Accuracy)
            .ThenBy(p => p.ChainLength)
            .ThenBy(p => p.Aggregator, StringComparer.Ordinal)
            .ThenBy(p => p.StepAggregation, StringComparer.Ordinal)
            .Select(p => (RatioPoint?)p)
            .FirstOrDefault();

    /// <summary>Sequential-to-parallel ratio of a revisions config: chain length L over N / L parallel chains.</summary>
    public static double SequentialToParallel(int budget, int chainLength) =>
        budget > 0 && chainLength > 0 ? (double)chainLength * chainLength / budget
            : throw new ArgumentOutOfRangeException(nameof(chainLength), $"budget {budget} and chain length {chainLength} must be > 0");

    private static void CheckCurve(IReadOnlyList<CurvePoint> curve)
    {
        for (var i = 0; i < curve.Count; i++)
        {
            if (!(curve[i].Budget > 0)) throw new ArgumentException($"curve point {i}: budget {curve[i].Budget} must be > 0 (log axis)", nameof(curve));
            if (i > 0 && !(curve[i].Budget > curve[i - 1].Budget))
                throw new ArgumentException($"curve point {i}: budget {curve[i].Budget} must be above the previous {curve[i - 1].Budget}", nameof(curve));
        }
    }
}
