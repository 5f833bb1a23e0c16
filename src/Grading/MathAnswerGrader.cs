namespace Pipeline.Grading;

/// <summary>
/// Default grader for MATH/GSM8K style answers: PRM800K-style normalization, then a parse into tuples, intervals, sets,
/// matrices, relations and expressions compared by value (see docs/grading.md). Thread-safe; never throws.
/// </summary>
public sealed class MathAnswerGrader(GradingOptions? options = null) : IAnswerGrader
{
    // Raw answers may carry markup that normalization removes; only far beyond MaxAnswerLength is the text refused outright.
    private const int RawLengthFactor = 4;

    private readonly GradingOptions _options = options ?? new GradingOptions();

    public static MathAnswerGrader Instance { get; } = new();

    public string? ExtractAnswer(string solutionText)
    {
        try
        {
            return AnswerExtractor.Extract(solutionText);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    public bool IsEquivalent(string gold, string predicted)
    {
        try
        {
            if (string.IsNullOrWhiteSpace(gold) || string.IsNullOrWhiteSpace(predicted)) return false;
            if (PlainNumber.TryParse(gold, out var goldValue) && PlainNumber.TryParse(predicted, out var predictedValue))
                return NumericTolerance.Close(goldValue, predictedValue);
            // Normalization is linear-to-quadratic in the length; beyond this only identical text is equal.
            if (gold.Length > RawLengthFactor * _options.MaxAnswerLength || predicted.Length > RawLengthFactor * _options.MaxAnswerLength)
                return string.Equals(gold.Trim(), predicted.Trim(), StringComparison.Ordinal);
            var g = LatexNormalizer.Normalize(gold);
            var p = LatexNormalizer.Normalize(predicted);
            if (g.Key.Length == 0 || p.Key.Length == 0) return false;
            if (g.Key == p.Key) return true;
            if (g.Text.Length > _options.MaxAnswerLength || p.Text.Length > _options.MaxAnswerLength) return false;
            var budget = NewBudget();
            var ga = AnswerParser.Parse(g.Text, budget);
            var pa = AnswerParser.Parse(p.Text, budget);
            if (!_options.AllowSetRelationComparison && AnswerComparer.SetAgainstInequality(ga, pa)) return false;
            if (AnswerComparer.Equal(ga, pa, g.HadPercent != p.HadPercent, budget)) return true;
            // "1,22" is 1.22 where a comma cannot separate thousands, but only against a single number: "-2,1" stays a list of roots otherwise.
            if (DecimalComma.Reading(g.Text) is { } gd && pa is ScalarAnswer)
                return AnswerComparer.Equal(AnswerParser.Parse(gd, budget), pa, g.HadPercent != p.HadPercent, budget);
            if (DecimalComma.Reading(p.Text) is { } pd && ga is ScalarAnswer)
                return AnswerComparer.Equal(ga, AnswerParser.Parse(pd, budget), g.HadPercent != p.HadPercent, budget);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Garbage in, "not equal" out: one odd answer must never stop a batch.
            return false;
        }
    }

    public string AnswerKey(string answer)
    {
        NormalizedAnswer? n = null;
        try
        {
            if (answer is null || answer.Length > RawLengthFactor * _options.MaxAnswerLength) return "s:" + answer?.Trim();
            n = LatexNormalizer.Normalize(answer);
            if (n.Text.Length > _options.MaxAnswerLength) return "s:" + n.Key;
            return AnswerKeys.Of(AnswerParser.Parse(n.Text, NewBudget()), NewBudget());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "s:" + (n?.Key ?? answer ?? "");
        }
    }

    private GradeBudget NewBudget() => new(_options.MaxSteps, TimeSpan.FromMilliseconds(_options.MaxMilliseconds));
}
