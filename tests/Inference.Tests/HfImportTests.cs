using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Tests;

/// <summary>Imports the tiny Hugging Face checkpoints of tests/Fixtures/hf (bf16 safetensors made with
/// transformers 5.17, scripts/gpu/make_hf_fixtures.py) with scripts/hf_import/import_hf.py, loads the
/// results with the engine on CPU and compares them with transformers' own outputs in each fixture's
/// reference.json: last-position logits and greedy tokens of the policies in both cache layouts, and
/// the PRMs' step scores. Token ids come from reference.json, so these tests check the graphs alone
/// (prompt rendering and tokenization are tested elsewhere).</summary>
public sealed class HfImportTests(HfImportTests.Imports imports) : IClassFixture<HfImportTests.Imports>
{
    private static readonly InferenceOptions Cpu = new() { Device = "cpu", IntraOpThreads = 2 };
    private const float LogitTolerance = 1e-4f;

    [Theory]
    [InlineData("llama-policy", "concat")]
    [InlineData("llama-policy", "shared")]
    [InlineData("qwen2-policy", "concat")]
    [InlineData("qwen2-policy", "shared")]
    [InlineData("qwen2-policy", "shared-external")]
    [InlineData("llama-policy", "concat-external")]
    [InlineData("llama-policy", "shared-fp16")]
    [InlineData("llama-policy", "concat-fp16")]
    [InlineData("qwen2-policy", "shared-fp16")]
    public void Policy_logits_and_greedy_tokens_match_transformers(string family, string layout)
    {
        // float16 graphs (the GPU's dtype, run here on CPU) against transformers' float32: activations round.
        var fp16 = layout.EndsWith("-fp16", StringComparison.Ordinal);
        var tolerance = fp16 ? 2e-2f : LogitTolerance;
        var nearTie = fp16 ? 2e-2 : 1e-3;
        using var model = LanguageModel.Load(imports.Manifest(family, layout), Cpu);
        var shared = layout.StartsWith("shared", StringComparison.Ordinal);
        Assert.Equal(shared, model.Manifest.SharedKvCache);
        // "-external": every weight in model.onnx.data, written by the importer tensor by tensor.
        Assert.Equal(layout.EndsWith("-external", StringComparison.Ordinal), File.Exists(Path.Combine(Path.GetDirectoryName(model.Manifest.OnnxPath)!, "model.onnx.data")));
        var reference = Reference(family);
        var compared = 0;
        var tokensCompared = 0;
        foreach (var prompt in reference.GetProperty("prompts").EnumerateArray())
        {
            var runs = new List<(string Ids, string Greedy, string Gaps)> { ("raw_ids", "raw_greedy_ids", "raw_greedy_gaps") };
            if (prompt.TryGetProperty("prompt_ids", out _)) runs.Add(("prompt_ids", "greedy_ids", "greedy_gaps"));
            foreach (var (idsKey, greedyKey, gapsKey) in runs)
            {
                var ids = Ints(prompt.GetProperty(idsKey));
                var expected = Ints(prompt.GetProperty(greedyKey));
                var (first, greedy) = shared ? GreedyShared(model, ids, expected.Length) : GreedyConcat(model, ids, expected.Length);
                if (idsKey == "prompt_ids" && prompt.TryGetProperty("last_logits", out var lastLogits))
                {
                    var want = lastLogits.EnumerateArray().Select(v => v.GetSingle()).ToArray();
                    Assert.Equal(want.Length, first.Length);
                    var worst = want.Zip(first, (a, b) => Math.Abs(a - b)).Max();
                    Assert.True(worst <= tolerance, $"{family} {layout}: last-position logits differ from transformers by up to {worst:e2}");
                    compared++;
                }
                // A near-tie in float32 may go either way: compare up to the first gap under the tolerance.
                var gaps = prompt.GetProperty(gapsKey).EnumerateArray().Select(g => g.GetDouble()).ToList();
                var n = gaps.FindIndex(g => g < nearTie) is var tie and >= 0 ? tie + 1 : expected.Length;
                Assert.Equal(expected[..n], greedy[..n]);
                tokensCompared += n;
                compared++;
            }
        }
        Assert.True(compared >= 7, $"{family}: only {compared} comparisons ran");
        Assert.True(tokensCompared >= (fp16 ? 24 : 100), $"{family} {layout}: only {tokensCompared} greedy tokens compared before a near-tie");
    }

    [Theory]
    [InlineData("llama-policy")]
    [InlineData("qwen2-policy")]
    public void Mixed_length_batches_decode_as_rows_alone_in_both_layouts(string family)
    {
        // The concat layout left-pads a batch (masked positions, positions counted from each row's
        // first token); the shared layout right-pads into per-row cache slots.
        using var concat = LanguageModel.Load(imports.Manifest(family, "concat"), Cpu);
        using var shared = LanguageModel.Load(imports.Manifest(family, "shared"), Cpu);
        var requests = Reference(family).GetProperty("prompts").EnumerateArray()
            .Select(p => new GenerationRequest(p.GetProperty("problem").GetString()!, Mode: StopMode.Solution, MaxNewTokens: 16, MaxSteps: 100, IgnoreStops: true))
            .ToList();
        var batchConcat = new Generator(concat).Generate(requests);
        var batchShared = new Generator(shared).Generate(requests);
        for (var i = 0; i < requests.Count; i++)
        {
            var alone = new Generator(concat).Generate([requests[i]])[0].Samples[0].TokenIds;
            Assert.Equal(16, alone.Count);
            Assert.Equal(alone, batchConcat[i].Samples[0].TokenIds);
            Assert.Equal(alone, batchShared[i].Samples[0].TokenIds);
        }
    }

    [Theory]
    [InlineData("qwen-prm")]
    [InlineData("math-shepherd")]
    [InlineData("skywork-prm")]
    [InlineData("rlhflow-prm")]
    public void Prm_step_scores_match_transformers_in_one_right_padded_batch(string family)
    {
        // The graph alone, through ONNX Runtime: reading the manifest's "prm" object is the PRM adapters' part.
        var manifest = JsonDocument.Parse(File.ReadAllText(imports.Manifest(family))).RootElement;
        var prm = manifest.GetProperty("prm");
        using var session = new InferenceSession(Path.Combine(Path.GetDirectoryName(imports.Manifest(family))!, manifest.GetProperty("onnx").GetString()!));
        var vocab = TokenIds(Path.Combine(Imports.FixtureRoot, family, "tokenizer.json"));
        var reference = Reference(family);
        var rows = reference.GetProperty("prm").EnumerateArray().ToList();
        var ids = rows.Select(r => Ints(r.GetProperty("input_ids"))).ToList();
        var expected = rows.Select(r => r.GetProperty("scores").EnumerateArray().Select(s => s.GetDouble()).ToArray()).ToList();
        var positions = ids.Select((row, i) => ScorePositions(family, vocab, reference, rows[i], row, expected[i].Length)).ToList();
        var scores = RunPrm(session, prm.GetProperty("head").GetString()!, prm.GetProperty("output").GetString()!, ids, positions);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i].Length, scores[i].Length);
            for (var s = 0; s < expected[i].Length; s++)
                Assert.True(Math.Abs(expected[i][s] - scores[i][s]) <= 1e-4,
                    $"{family} row {i} step {s}: score {scores[i][s]:f6}, transformers {expected[i][s]:f6}");
        }
        // Random weights still give different scores at different steps, or the comparison proves little.
        Assert.True(scores.SelectMany(s => s).Distinct().Count() > 3);
    }

    /// <summary>A real-size import (over 2 GiB, so in model.onnx.data) loads and decodes: run
    /// <c>scripts/hf_import/bench_large_import.py --work /tmp/big15</c>, then set
    /// HF_IMPORT_LARGE_MANIFEST=/tmp/big15/onnx/qwen2.5-math-1.5b.manifest.json. Skipped otherwise.</summary>
    [SkippableFact]
    public void Large_external_data_import_loads_and_decodes()
    {
        var manifest = Environment.GetEnvironmentVariable("HF_IMPORT_LARGE_MANIFEST");
        Skip.If(string.IsNullOrEmpty(manifest), "HF_IMPORT_LARGE_MANIFEST not set");
        using var model = LanguageModel.Load(manifest, Cpu);
        Assert.True(new FileInfo(Path.Combine(Path.GetDirectoryName(model.Manifest.OnnxPath)!, "model.onnx.data")).Length > 2L << 30);
        var prompt = Enumerable.Range(0, 32).Select(i => i * 997 % 150000).ToArray();
        var (first, tokens) = model.Manifest.SharedKvCache ? GreedyShared(model, prompt, 8) : GreedyConcat(model, prompt, 8);
        Assert.All(first, v => Assert.True(float.IsFinite(v)));
        Assert.All(tokens, t => Assert.InRange(t, 0, model.Manifest.VocabSize - 1));
    }

    [Fact]
    public void Imported_manifests_carry_the_contract_fields()
    {
        var policy = JsonDocument.Parse(File.ReadAllText(imports.Manifest("llama-policy", "shared"))).RootElement;
        Assert.Equal(["<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"], policy.GetProperty("stop_tokens").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("chat_template.jinja", policy.GetProperty("chat_template").GetString());
        Assert.StartsWith("Solve the following math problem efficiently and clearly:", policy.GetProperty("system_prompt").GetString());
        Assert.Equal("LlamaForCausalLM", policy.GetProperty("source").GetProperty("architecture").GetString());
        var manifest = ModelManifest.Load(imports.Manifest("llama-policy", "shared"));
        Assert.Equal(16, manifest.HeadSize);   // explicit head_dim
        var shepherd = JsonDocument.Parse(File.ReadAllText(imports.Manifest("math-shepherd"))).RootElement;
        Assert.Equal(4096, shepherd.GetProperty("max_positions").GetInt32());   // Mistral's sliding window caps the context
        Assert.Equal(Ints(Reference("math-shepherd").GetProperty("label_token_ids")),
            Ints(shepherd.GetProperty("prm").GetProperty("label_token_ids")));
    }

    // Where transformers' recipe read each step's score (docs/import-contract.md, "PRM graphs").
    private static int[] ScorePositions(string family, Dictionary<string, int> vocab, JsonElement reference, JsonElement row, int[] ids, int steps)
    {
        int[] At(Func<int, bool> hit) => Enumerable.Range(0, ids.Length).Where(hit).ToArray();
        var found = family switch
        {
            "qwen-prm" => At(t => ids[t] == vocab["<extra_0>"]),
            "math-shepherd" => At(t => ids[t] == reference.GetProperty("step_tag_id").GetInt32()),
            // Every step ends with the step token's id (the last token), the problem has none after BOS + problem.
            "skywork-prm" => At(t => ids[t] == ids[^1])[^steps..],
            // logits[:, -3] of the conversation ending with assistant "+" <|eot_id|>: two before the eot.
            "rlhflow-prm" => At(t => t + 2 < ids.Length && ids[t + 1] == Ints(row.GetProperty("label_token_ids"))[0]
                                     && ids[t + 2] == vocab["<|eot_id|>"]),
            _ => throw new ArgumentException(family),
        };
        Assert.Equal(steps, found.Length);
        return found;
    }

    private static double[][] RunPrm(InferenceSession session, string head, string output, List<int[]> rows, List<int[]> positions)
    {
        var b = rows.Count;
        var len = rows.Max(r => r.Length);
        var ids = new long[b * len];
        var mask = new long[b * len];
        var pos = new long[b * len];
        for (var i = 0; i < b; i++)
        {
            ids.AsSpan(i * len, len).Fill(rows[i][0]);   // any id: the mask hides it and nothing before it looks right
            for (var t = 0; t < rows[i].Length; t++)
            {
                ids[i * len + t] = rows[i][t];
                mask[i * len + t] = 1;
                pos[i * len + t] = t;
            }
        }
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [b, len]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [b, len]);
        using var posValue = OrtValue.CreateTensorValueFromMemory(pos, [b, len]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "position_ids"], [idsValue, maskValue, posValue], [output]);
        var data = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var width = head == "value" ? 1 : 2;
        return positions.Select((p, i) => p.Select(t =>
        {
            var at = (i * len + t) * width;
            return head switch
            {
                "value" => data[at],
                "two_class" => PrmHeadMath.TwoClass(data[at], data[at + 1]),
                _ => PrmHeadMath.GoodBad(data[at], data[at + 1]),   // token_logits: [good, bad]
            };
        }).ToArray()).ToArray();
    }

    // Greedy decoding through the concat layout: prefill from an empty past, then one token at a time.
    private static (float[] First, int[] Tokens) GreedyConcat(LanguageModel model, int[] prompt, int n)
    {
        using var runner = new DecoderRunner(model);
        var cache = runner.InitialCache(1, 0);
        var ids = prompt.Select(i => (long)i).ToArray();
        var positions = Enumerable.Range(0, ids.Length).Select(i => (long)i).ToArray();
        float[]? first = null;
        var tokens = new int[n];
        try
        {
            for (var k = 0; k < n; k++)
            {
                var mask = Enumerable.Repeat(1L, cache.Length + ids.Length).ToArray();
                var (logits, present) = runner.Forward(ids, mask, positions, 1, ids.Length, cache, hostPresent: true);
                cache.Dispose();
                cache = present;
                using (logits)
                {
                    var vocab = model.Manifest.VocabSize;
                    var info = logits.GetTensorTypeAndShape();
                    var row = TensorRows.Row(logits, info.ElementDataType, info.ElementCount - vocab, vocab, new float[vocab]).ToArray();
                    first ??= row;
                    tokens[k] = ArgMax(row);
                }
                ids = [tokens[k]];
                positions = [cache.Length];
            }
        }
        finally
        {
            cache.Dispose();
        }
        return (first!, tokens);
    }

    // Greedy decoding through the shared layout: one slot, prefill then in-place decode steps (argmax on the graph).
    private static (float[] First, int[] Tokens) GreedyShared(LanguageModel model, int[] prompt, int n)
    {
        var decoder = model.SharedDecoder;
        decoder.Reserve(1, prompt.Length + n);
        var first = decoder.Prefill(0, 1, prompt.Length, prompt.Select(i => (long)i).ToArray(), [prompt.Length])[0];
        var tokens = new int[n];
        tokens[0] = ArgMax(first);
        var next = new long[1];
        for (var k = 1; k < n; k++)
        {
            decoder.Decode(1, [tokens[k - 1]], [prompt.Length + k - 1], next);
            tokens[k] = (int)next[0];
        }
        return (first, tokens);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
            if (row[i] > row[best]) best = i;
        return best;
    }

    // tokenizer.json's token -> id, added (special) tokens included.
    private static Dictionary<string, int> TokenIds(string tokenizerJson)
    {
        var root = JsonDocument.Parse(File.ReadAllText(tokenizerJson)).RootElement;
        var ids = root.GetProperty("model").GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        foreach (var t in root.GetProperty("added_tokens").EnumerateArray())
            ids[t.GetProperty("content").GetString()!] = t.GetProperty("id").GetInt32();
        return ids;
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static JsonElement Reference(string family) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Imports.FixtureRoot, family, "reference.json"))).RootElement;

    /// <summary>Runs the importer once per fixture (and layout) into a temporary folder.</summary>
    public sealed class Imports : IDisposable
    {
        public static string FixtureRoot => Path.Combine(TestPaths.RepoRoot, "tests", "Fixtures", "hf");
        private readonly string _root = Path.Combine(Path.GetTempPath(), $"hf-import-{Guid.NewGuid():N}");
        private readonly Dictionary<string, string> _manifests = [];

        public Imports()
        {
            // --max-positions 4096: the Llama fixtures say 131072, whose rotary tables only slow the tests down.
            Import("llama-policy", "concat", "--dtype", "float32", "--layout", "concat", "--max-positions", "4096");
            Import("llama-policy", "shared", "--dtype", "float32", "--layout", "shared", "--max-positions", "4096");
            Import("qwen2-policy", "concat", "--dtype", "float32", "--layout", "concat");
            Import("qwen2-policy", "shared", "--dtype", "float32", "--layout", "shared");
            Import("qwen2-policy", "shared-external", "--dtype", "float32", "--layout", "shared");
            Import("llama-policy", "concat-external", "--dtype", "float32", "--layout", "concat", "--max-positions", "4096");
            Import("llama-policy", "shared-fp16", "--dtype", "float16", "--layout", "shared", "--max-positions", "4096");
            Import("llama-policy", "concat-fp16", "--dtype", "float16", "--layout", "concat", "--max-positions", "4096");
            Import("qwen2-policy", "shared-fp16", "--dtype", "float16", "--layout", "shared");
            Import("qwen-prm", "", "--dtype", "float32");
            Import("skywork-prm", "", "--dtype", "float32");
            var shepherd = Ints(Reference("math-shepherd").GetProperty("label_token_ids"));
            Import("math-shepherd", "", "--dtype", "float32", "--role", "prm", "--label-token-ids", $"{shepherd[0]},{shepherd[1]}");
            var rlhflow = Ints(Reference("rlhflow-prm").GetProperty("prm")[0].GetProperty("label_token_ids"));
            Import("rlhflow-prm", "", "--dtype", "float32", "--role", "prm", "--max-positions", "4096",
                "--label-token-ids", $"{rlhflow[0]},{rlhflow[1]}");
        }

        public string Manifest(string family, string layout = "") => _manifests[$"{family}/{layout}"];

        private void Import(string family, string layout, params string[] args)
        {
            var outDir = Path.Combine(_root, family + (layout == "" ? "" : "-" + layout));
            Prm.ImportedFixtures.RunImporter(family, outDir, args,
                layout.EndsWith("-external", StringComparison.Ordinal) ? new Dictionary<string, string> { ["IMPORT_HF_EXTERNAL_OVER"] = "0" } : null);
            _manifests[$"{family}/{layout}"] = Path.Combine(outDir, $"{family}.manifest.json");
        }

        public void Dispose()
        {
            if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        }
    }
}
