using System.Text.Json;

namespace Pipeline.Tests.EndToEnd;

/// <summary>Input files of a small end-to-end run: a few tiny-arith problems in MATH format and a run spec.</summary>
internal static class TinyRun
{
    private static readonly (string Problem, string Answer, int Level)[] Problems =
    [
        ("Compute $17+25$.", "42", 1),
        ("Compute $6\\times 7-5$.", "37", 2),
        ("Compute $(40-13)+9$.", "36", 2),
    ];

    public static string WriteDataset(string folder)
    {
        var path = Path.Combine(folder, "e2e-arith.jsonl");
        File.WriteAllLines(path, Problems.Select((p, i) => JsonSerializer.Serialize(new
        {
            problem = p.Problem,
            solution = $"The answer is $\\boxed{{{p.Answer}}}$.",
            answer = p.Answer,
            subject = "Arithmetic",
            level = p.Level,
            unique_id = $"e2e/{i}",
        })));
        return path;
    }

    public static int ProblemCount => Problems.Length;

    /// <param name="strategies">YAML list items, e.g. "{ kind: best_of_n, budgets: [4] }".</param>
    public static string WriteSpec(string folder, string name, bool withRevision, params string[] strategies) =>
        WriteSpec(folder, name, withRevision, 48, strategies);

    /// <param name="maxNewTokens">Token limit per step; a small one cuts steps short, so searches take more rounds.</param>
    public static string WriteSpec(string folder, string name, bool withRevision, int maxNewTokens, params string[] strategies)
    {
        var path = Path.Combine(folder, name + ".yaml");
        var revision = withRevision ? $"\n  revision: {RepoPaths.TinyModel("revision.manifest.json")}" : "";
        File.WriteAllText(path, $"""
            name: {name}
            dataset: e2e-arith
            models:
              policy: {RepoPaths.TinyModel("policy.manifest.json")}
              prm: {RepoPaths.TinyModel("prm.manifest.json")}{revision}
            sampling: {"{"} temperature: 1.0, top_p: 1.0, max_new_tokens: {maxNewTokens}, max_steps: 6 {"}"}
            seed: 7
            strategies:
            {string.Join("\n", strategies.Select(s => "  - " + s))}
            """);
        return path;
    }
}
