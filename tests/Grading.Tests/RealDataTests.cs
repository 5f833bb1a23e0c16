using Xunit.Abstractions;

namespace Pipeline.Grading.Tests;

/// <summary>The issue's real-data checks on ../shared/data (skipped with a message when the folder is absent).</summary>
public sealed class RealDataTests(ITestOutputHelper output)
{
    private readonly MathAnswerGrader _grader = new();

    [SkippableFact]
    public void Math500_boxed_answer_of_each_solution_grades_equal_to_the_rows_answer_on_at_least_99_percent()
    {
        var path = SharedDataFiles.Require("math500_test.jsonl");
        var rows = SharedData.ReadJsonl(path).Select(r => (r.line, answer: r.row.Field("answer", path, r.line), solution: r.row.Field("solution", path, r.line))).ToList();
        Assert.Equal(500, rows.Count);

        var exceptions = new List<string>();
        foreach (var (line, answer, solution) in rows)
        {
            var extracted = _grader.ExtractAnswer(solution);
            if (extracted is null || !_grader.IsEquivalent(answer, extracted))
                exceptions.Add($"line {line}: answer {answer} | extracted {extracted ?? "<none>"}");
        }
        var agree = rows.Count - exceptions.Count;
        output.WriteLine($"MATH500: {agree}/{rows.Count} agree ({100.0 * agree / rows.Count:F1}%)");
        foreach (var e in exceptions) output.WriteLine("  exception " + e);
        Assert.True(agree >= 495, $"only {agree}/500 agree:\n{string.Join("\n", exceptions)}");
    }

    [SkippableFact]
    public void Math500_answers_of_different_rows_are_rarely_judged_equal()
    {
        // The other side of the coin: a grader that says "equal" too easily would pass the check above.
        var path = SharedDataFiles.Require("math500_test.jsonl");
        var answers = SharedData.ReadJsonl(path).Select(r => r.row.Field("answer", path, r.line)).ToList();
        var falseEquals = new List<string>();
        for (var i = 0; i < answers.Count; i++)
        {
            var other = answers[(i + 1) % answers.Count];
            if (answers[i] != other && _grader.IsEquivalent(answers[i], other)) falseEquals.Add($"{answers[i]} == {other}");
        }
        foreach (var f in falseEquals) output.WriteLine("  judged equal: " + f);
        Assert.True(falseEquals.Count <= 2, string.Join("\n", falseEquals));
    }

    [SkippableFact]
    public void Gsm8k_hash_answer_of_every_row_is_extracted_and_grades_equal_to_its_number()
    {
        var path = SharedDataFiles.Require("gsm8k_test.jsonl");
        var rows = SharedData.ReadJsonl(path).ToList();
        Assert.Equal(1319, rows.Count);
        var failures = new List<string>();
        foreach (var (line, row) in rows)
        {
            var text = row.Field("answer", path, line);
            // Independent reading of the gold: the text after the last "####", commas dropped, as a decimal.
            var tail = text[(text.LastIndexOf("####", StringComparison.Ordinal) + 4)..].Trim();
            var value = decimal.Parse(tail.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
            var canonical = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var extracted = _grader.ExtractAnswer(text);
            if (extracted != tail) failures.Add($"line {line}: extracted {extracted ?? "<none>"} instead of {tail}");
            else if (!_grader.IsEquivalent(canonical, extracted)) failures.Add($"line {line}: {extracted} not equal to {canonical}");
            else if (_grader.IsEquivalent((value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), extracted)) failures.Add($"line {line}: {extracted} equal to {value + 1}");
            else if (_grader.AnswerKey(extracted) != _grader.AnswerKey(canonical)) failures.Add($"line {line}: keys of {extracted} and {canonical} differ");
        }
        output.WriteLine($"GSM8K: {rows.Count - failures.Count}/{rows.Count} rows pass");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [SkippableFact]
    public void Math500_answers_equal_their_rewritten_forms()
    {
        // Harder than the boxed check: each gold answer against forms a model might write instead.
        var path = SharedDataFiles.Require("math500_test.jsonl");
        var answers = SharedData.ReadJsonl(path).Select(r => (r.line, answer: r.row.Field("answer", path, r.line))).ToList();
        var failures = new List<string>();
        var numeric = 0;
        foreach (var (line, a) in answers)
        {
            var forms = new List<string> { $"$\\boxed{{{a}}}$.", a.Replace("\\frac", "\\dfrac"), $"\\left. {a} \\right." };
            if (!a.Contains('=') && !a.Contains("\\in") && !a.Contains("\\text")) forms.Add("x = " + a);
            if (RealValue(a) is { } v)
            {
                numeric++;
                forms.Add(v.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture));
            }
            foreach (var f in forms.Where(f => !_grader.IsEquivalent(a, f))) failures.Add($"line {line}: {a} vs {f}");
        }
        output.WriteLine($"MATH500 rewritten forms: {failures.Count} failures; {numeric}/500 answers have a numeric key");
        foreach (var f in failures) output.WriteLine("  " + f);
        Assert.True(failures.Count <= 5, string.Join("\n", failures));
    }

    /// The value of a constant real answer ("\\frac{11}{36}"), or null for anything else.
    private static double? RealValue(string answer)
    {
        var budget = new GradeBudget(100_000, TimeSpan.FromSeconds(1));
        if (!ExprParser.TryParse(LatexNormalizer.Normalize(answer).Text, budget, out var e) || e is null || e.HasPlusMinus) return null;
        var names = new HashSet<string>();
        e.CollectVariables(names);
        if (names.Count > 0) return null;
        var z = e.Evaluate(ExprEquivalence.Empty, budget);
        return z.Imaginary == 0 && double.IsFinite(z.Real) ? z.Real : null;
    }
}
