using System.Diagnostics;
using Pipeline.Inference;

namespace Pipeline.GpuBench;

/// <summary>Greedy generation through the project's engine (LanguageModel + Generator), the path the
/// ProposalWorker runs; prompts go in as text and come out as the engine's own token ids.</summary>
public sealed class EngineRunner(LanguageModel model) : IDisposable
{
    private readonly Generator _generator = new(model);

    public string Provider => model.ExecutionProvider;

    /// <summary>Fails when the engine's tokenizer does not give the ids the Python side uses.</summary>
    public void CheckEncoding(IReadOnlyList<string> texts, IReadOnlyList<int[]> ids)
    {
        for (int i = 0; i < texts.Count; i++)
        {
            var got = model.EncodePrompt(texts[i]);
            if (!got.SequenceEqual(ids[i]))
                throw new InvalidDataException($"prompt {i}: engine tokenizer gives [{string.Join(",", got.Take(8))}...] ({got.Length} ids), prompts.json has [{string.Join(",", ids[i].Take(8))}...] ({ids[i].Length})");
        }
    }

    public (int[][] Tokens, double Seconds) Generate(IReadOnlyList<string> prompts, int newTokens, double temperature = 0)
    {
        var requests = prompts.Select((p, i) => new GenerationRequest(p, Samples: 1, Temperature: temperature, Seed: i, Mode: StopMode.Solution,
            MaxNewTokens: newTokens, MaxSteps: int.MaxValue, IgnoreStops: true)).ToList();
        var sw = Stopwatch.StartNew();
        var results = _generator.Generate(requests);
        var secs = sw.Elapsed.TotalSeconds;
        return (results.Select(r => r.Samples[0].TokenIds.ToArray()).ToArray(), secs);
    }

    public void Dispose() => model.Dispose();
}
