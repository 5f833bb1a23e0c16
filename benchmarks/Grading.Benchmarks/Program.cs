// Grading throughput: plain numeric gold/prediction pairs through the full grader (MathAnswerGrader.IsEquivalent) against a
// baseline in the same process, the normalization-only path (normalized strings compared for equality, the grader's first
// stage and the original MATH is_equiv approach). One thread, then one worker per core.
// Then the same for the mixed answers of the test corpora (tests/Grading.Tests/cases/*.jsonl, answers extracted before timing):
// fractions, intervals, matrices, relations, sets, whole solutions; the heavier path.
//   dotnet run -c Release --project benchmarks/Grading.Benchmarks -- [pairs=200000] [runs=3] [cases-dir]
using System.Diagnostics;
using Pipeline.Grading;
using Pipeline.Grading.Benchmarks;

var count = args.Length > 0 ? int.Parse(args[0]) : 200_000;
var runs = args.Length > 1 ? int.Parse(args[1]) : 3;
var pairs = NumericPairs.Make(count, seed: 13);
var grader = new MathAnswerGrader();
var cores = Environment.ProcessorCount;

bool Full((string Gold, string Pred) p) => grader.IsEquivalent(p.Gold, p.Pred);
bool Baseline((string Gold, string Pred) p) => LatexNormalizer.Normalize(p.Gold).Key == LatexNormalizer.Normalize(p.Pred).Key;

// Warm-up: JIT and regex construction out of the timed runs.
for (var w = 0; w < 3; w++) foreach (var p in pairs.Take(20_000)) { Full(p); Baseline(p); }

Console.WriteLine($"{count:N0} plain numeric pairs, {runs} runs, {cores} cores");
var rows = new List<(string name, double[] rates, int equal)>();
foreach (var (name, grade, workers) in new (string, Func<(string, string), bool>, int)[]
         {
             ("full grader, 1 thread", Full, 1), ($"full grader, {cores} threads", Full, cores),
             ("normalization only, 1 thread", Baseline, 1), ($"normalization only, {cores} threads", Baseline, cores),
         })
{
    var rates = new double[runs];
    var equal = 0;
    for (var r = 0; r < runs; r++)
    {
        var sw = Stopwatch.StartNew();
        equal = Run(pairs, grade, workers);
        rates[r] = count / sw.Elapsed.TotalSeconds;
    }
    rows.Add((name, rates, equal));
    Console.WriteLine($"{name,-34} {rates.Min(),10:N0} - {rates.Max(),10:N0} comparisons/s   ({string.Join(", ", rates.Select(x => x.ToString("N0")))}), {equal:N0} equal");
}
var fullOne = rows[0].rates.Average();
var baseOne = rows[2].rates.Average();
Console.WriteLine($"full grader / normalization only, 1 thread: {fullOne / baseOne:F2}x the rate ({baseOne / fullOne:F1}x the time per comparison)");
Console.WriteLine($"equal verdicts: full grader {rows[0].equal:N0}, normalization only {rows[2].equal:N0} of {count:N0}");

var casesDir = args.Length > 2 ? args[2] : Path.Combine(AppContext.BaseDirectory, "../../../../../tests/Grading.Tests/cases");
if (Directory.Exists(casesDir))
{
    var mixed = CorpusPairs.Load(casesDir, grader);
    var rounds = Math.Max(1, count / Math.Max(1, mixed.Count));
    var work = Enumerable.Repeat(mixed, rounds).SelectMany(x => x).ToList();
    Console.WriteLine($"corpus answers: {mixed.Count:N0} pairs x {rounds} rounds from {Path.GetFullPath(casesDir)}");
    foreach (var (name, grade) in new (string, Func<(string, string), bool>)[] { ("full grader, 1 thread", Full), ("normalization only, 1 thread", Baseline) })
    {
        var rates = new double[runs];
        var equal = 0;
        for (var r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            equal = Run(work, grade, 1);
            rates[r] = work.Count / sw.Elapsed.TotalSeconds;
        }
        Console.WriteLine($"{name,-34} {rates.Min(),10:N0} - {rates.Max(),10:N0} comparisons/s   ({string.Join(", ", rates.Select(x => x.ToString("N0")))}), {equal / rounds:N0} equal per round");
    }
}
return 0;

static int Run(List<(string Gold, string Pred)> pairs, Func<(string, string), bool> grade, int workers)
{
    var equal = 0;
    Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
    {
        var local = 0;
        for (var i = w; i < pairs.Count; i += workers)
            if (grade(pairs[i])) local++;
        Interlocked.Add(ref equal, local);
    });
    return equal;
}
