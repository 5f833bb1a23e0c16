using System.Text.Json;
using Xunit.Abstractions;

namespace Pipeline.Grading.Tests;

/// <summary>
/// cases/math_verify_cases.jsonl: gold/pred/expected cases of the kinds Math-Verify's own test-suite covers (numbers,
/// fractions, roots, percentages, units, relations, tuples, intervals, sets, matrices, algebra, constants, text, whole
/// solutions), written for this project. The target: agreement >= 95%.
/// </summary>
public sealed class MathVerifyCorpusTests(ITestOutputHelper output)
{
    public const string MainCorpus = "math_verify_cases.jsonl";

    // Written after the grader existed and scored once before any fix for it (37/45); kept apart so that first score stays meaningful.
    public const string HeldOutCorpus = "math_verify_heldout_cases.jsonl";

    // Model-style rewrites of MATH500 gold answers, written blind later still: 45/45 on its first run.
    public const string Math500FormsCorpus = "math500_forms_heldout_cases.jsonl";

    // Issue 13: our own cases, one group per rule (extraction, numbers, relations, several answers, matrices, chains).
    public const string RulesCorpus = "math_verify_rules_cases.jsonl";

    // Issue 13's measure: Math-Verify's own published test expectations (default verify settings), transcribed before any
    // rule work and scored once, after it (docs/grading.md gives that score and every case it still gets wrong).
    public const string PublishedHeldOut = "math_verify_published_heldout.jsonl";

    internal sealed record Case(string Kind, string Gold, string Pred, bool Expected, int Line);

    internal static List<Case> LoadCases(string file = MainCorpus)
    {
        var casesPath = Path.Combine(AppContext.BaseDirectory, "cases", file);
        var cases = new List<Case>();
        var n = 0;
        foreach (var line in File.ReadLines(casesPath))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var row = JsonDocument.Parse(line).RootElement;
            string Str(string f) => row.TryGetProperty(f, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new InvalidDataException($"{casesPath}:{n}: field \"{f}\" is missing or not a string");
            var expected = row.TryGetProperty("expected", out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? e.GetBoolean() : throw new InvalidDataException($"{casesPath}:{n}: field \"expected\" is missing or not a boolean");
            cases.Add(new Case(Str("kind"), Str("gold"), Str("pred"), expected, n));
        }
        return cases;
    }

    /// Both sides go through extraction first, as a pipeline grading a model's solution does.
    internal static bool Grade(IAnswerGrader grader, Case c)
    {
        var gold = grader.ExtractAnswer(c.Gold) ?? c.Gold;
        var pred = grader.ExtractAnswer(c.Pred);
        return pred is not null && grader.IsEquivalent(gold, pred);
    }

    [Theory]
    [InlineData(MainCorpus)]
    [InlineData(HeldOutCorpus)]
    [InlineData(Math500FormsCorpus)]
    [InlineData(RulesCorpus)]
    [InlineData(PublishedHeldOut)]
    public void Agreement_with_math_verify_expectations_is_at_least_95_percent(string file)
    {
        var grader = new MathAnswerGrader();
        var cases = LoadCases(file);
        Assert.True(file != MainCorpus || cases.Count >= 100, $"only {cases.Count} cases");
        var wrong = cases.Where(c => Grade(grader, c) != c.Expected).ToList();
        var agreement = 100.0 * (cases.Count - wrong.Count) / cases.Count;
        output.WriteLine($"{file}: agreement {cases.Count - wrong.Count}/{cases.Count} = {agreement:F1}%");
        foreach (var group in cases.GroupBy(c => c.Kind))
            output.WriteLine($"  {group.Key,-10} {group.Count(c => Grade(grader, c) == c.Expected)}/{group.Count()}");
        foreach (var c in wrong) output.WriteLine($"  DISAGREE line {c.Line} [{c.Kind}] gold {c.Gold} | pred {c.Pred} | expected {c.Expected}");
        Assert.True(agreement >= 95.0, $"agreement {agreement:F1}% < 95%");
    }

    [Fact]
    public void Corpus_has_both_verdicts_in_every_big_category()
    {
        // A corpus of only "equal" cases would reward a grader that always says yes.
        var cases = LoadCases();
        Assert.True(cases.Count(c => !c.Expected) >= 30);
        foreach (var kind in new[] { "number", "fraction", "root", "percent", "relation", "tuple", "interval", "set", "matrix", "algebra", "text", "solution" })
        {
            Assert.Contains(cases, c => c.Kind == kind && c.Expected);
            Assert.Contains(cases, c => c.Kind == kind && !c.Expected);
        }
    }

    [Fact]
    public void Rule_corpus_has_both_verdicts_for_every_rule()
    {
        // Each issue-13 rule is checked where it could wrongly say "equal", not only where it should.
        var cases = LoadCases(RulesCorpus);
        foreach (var kind in new[] { "extraction", "number", "relation", "several", "matrix", "chain", "notation", "after-heldout" })
        {
            Assert.Contains(cases, c => c.Kind == kind && c.Expected);
            Assert.Contains(cases, c => c.Kind == kind && !c.Expected);
        }
    }
}
