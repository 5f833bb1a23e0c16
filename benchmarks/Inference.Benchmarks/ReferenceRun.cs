using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Inference.Benchmarks;

/// <summary>What benchmarks/torch_reference.py wrote: the workload both sides run, and its timings.</summary>
internal sealed record ReferenceRun(
    [property: JsonPropertyName("torch_version")] string TorchVersion,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("new_tokens")] int NewTokens,
    [property: JsonPropertyName("parity_max_diff")] double ParityMaxDiff,
    [property: JsonPropertyName("prompts")] IReadOnlyList<string> Prompts,
    [property: JsonPropertyName("prm_candidates")] IReadOnlyList<ReferenceCandidate> PrmCandidates,
    [property: JsonPropertyName("generation")] IReadOnlyList<ReferenceGeneration> Generation,
    [property: JsonPropertyName("prm")] ReferencePrm Prm)
{
    public static ReferenceRun Load(string path) =>
        JsonSerializer.Deserialize<ReferenceRun>(File.ReadAllText(path))
        ?? throw new InvalidDataException($"{path}: empty reference results");
}

internal sealed record ReferenceCandidate([property: JsonPropertyName("problem")] string Problem, [property: JsonPropertyName("steps")] IReadOnlyList<string> Steps);

internal sealed record ReferenceGeneration(
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("tokens_per_s")] double TokensPerSecond);

internal sealed record ReferencePrm(
    [property: JsonPropertyName("candidates")] int Candidates,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("steps_per_s")] double StepsPerSecond);
