using System.Text.Json;
using Pipeline.Producer.Commands.Models;
using Pipeline.Producer.ModelImport;

namespace Pipeline.Tests.Producer;

/// <summary>The <c>pipeline model</c> verbs over the Hugging Face fixtures of tests/Fixtures/hf (tiny random
/// checkpoints with transformers 5.17's outputs in reference.json): import with import_hf.py (float32, CPU),
/// then the rendered prompt and its ids, greedy tokens (chat and raw) and PRM scores must be transformers' own.</summary>
public sealed class ModelCommandsTests(ModelCommandsTests.Imported imported) : IClassFixture<ModelCommandsTests.Imported>
{
    private static readonly Dictionary<string, string?> Cpu = new()
    {
        ["Inference:Device"] = "cpu",
        ["Inference:IntraOpThreads"] = "2",
    };

    [Fact]
    public void Import_prints_the_manifest_and_passes_the_label_token_ids_of_the_model_cards()
    {
        var shepherd = imported.Summary("math-shepherd");
        Assert.Equal("prm", shepherd.GetProperty("role").GetString());
        Assert.Equal("plain", shepherd.GetProperty("prm_input").GetString());
        // encode("+ -")[1:] with the checkpoint's SentencePiece tokenizer, as the model card computes it.
        Assert.Equal(Ints(Reference("math-shepherd").GetProperty("label_token_ids")), Ints(shepherd.GetProperty("label_token_ids")));
        var rlhflow = imported.Summary("rlhflow-prm");
        Assert.Equal("chat_turns", rlhflow.GetProperty("prm_input").GetString());
        Assert.Equal(Ints(Reference("rlhflow-prm").GetProperty("prm")[0].GetProperty("label_token_ids")), Ints(rlhflow.GetProperty("label_token_ids")));
        Assert.Equal("chat", imported.Summary("qwen-prm").GetProperty("prm_input").GetString());
        Assert.Equal("per_step", imported.Summary("skywork-prm").GetProperty("prm_input").GetString());
        var llama = imported.Summary("llama-policy");
        Assert.Equal(["<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"], llama.GetProperty("stop_tokens").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("concat", llama.GetProperty("kv_cache").GetString());
        Assert.Equal("shared", imported.Summary("llama-policy", "shared").GetProperty("kv_cache").GetString());
    }

    [Theory]
    [InlineData("llama-policy")]
    [InlineData("qwen2-policy")]
    public async Task Prompt_is_the_chat_template_transformers_renders_and_its_ids(string family)
    {
        var reference = Reference(family);
        foreach (var row in reference.GetProperty("prompts").EnumerateArray())
        {
            var r = await Cli.RunAsync(Cpu, "model", "prompt", imported.Manifest(family), "--system", reference.GetProperty("system_prompt").GetString()!,
                "--user", row.GetProperty("problem").GetString()!, "--json");
            Assert.Equal(0, r.ExitCode);
            var output = JsonDocument.Parse(r.Output).RootElement;
            Assert.Equal(row.GetProperty("rendered").GetString(), output.GetProperty("prompt").GetString());
            Assert.Equal(Ints(row.GetProperty("prompt_ids")), Ints(output.GetProperty("prompt_token_ids")));
        }
    }

    [Theory]
    [InlineData("llama-policy", "")]
    [InlineData("llama-policy", "shared")]
    [InlineData("qwen2-policy", "")]
    public async Task Generate_gives_transformers_greedy_tokens_with_the_template_and_raw(string family, string layout)
    {
        var reference = Reference(family);
        var stops = imported.Summary(family, layout).GetProperty("stop_tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var stopIds = stops.Select(t => TokenId(family, t)).ToHashSet();
        var compared = 0;
        foreach (var row in reference.GetProperty("prompts").EnumerateArray())
        {
            foreach (var (raw, idsKey, greedyKey, gapsKey) in new[] { (false, "prompt_ids", "greedy_ids", "greedy_gaps"), (true, "raw_ids", "raw_greedy_ids", "raw_greedy_gaps") })
            {
                string[] args = ["model", "generate", imported.Manifest(family, layout), "--problem", row.GetProperty("problem").GetString()!,
                    "--max-new-tokens", "24", "--temperature", "0", "--json"];
                var r = await Cli.RunAsync(Cpu, raw ? [.. args, "--raw"] : args);
                Assert.True(r.ExitCode == 0, r.Output);
                var output = JsonDocument.Parse(r.Output).RootElement;
                Assert.Equal(Ints(row.GetProperty(idsKey)), Ints(output.GetProperty("prompt_token_ids")));
                var expected = Ints(row.GetProperty(greedyKey));
                var got = Ints(output.GetProperty("generated_token_ids"));
                // transformers' reference loop ignores stop tokens: ours ends at the first one, which it includes.
                var stopAt = Array.FindIndex(expected, stopIds.Contains);
                var n = stopAt >= 0 ? stopAt + 1 : expected.Length;
                // A float32 near-tie may go either way: compare up to the first gap under 1e-3.
                var gaps = row.GetProperty(gapsKey).EnumerateArray().Select(g => g.GetDouble()).ToList();
                if (gaps.FindIndex(g => g < 1e-3) is var tie and >= 0 && tie + 1 < n) n = tie + 1;
                Assert.Equal(expected[..n], got[..n]);
                if (stopAt >= 0 && n == stopAt + 1) Assert.Equal(n, got.Length);
                if (n == expected.Length && stopAt < 0)
                    Assert.Equal(row.GetProperty(raw ? "raw_greedy_text" : "greedy_text").GetString(), output.GetProperty("text").GetString());
                compared++;
            }
        }
        Assert.Equal(6, compared);
    }

    [Theory]
    [InlineData("qwen-prm")]
    [InlineData("math-shepherd")]
    [InlineData("skywork-prm")]
    [InlineData("rlhflow-prm")]
    public async Task Score_gives_transformers_step_scores(string family)
    {
        using var dir = new Cli.TempDir();
        foreach (var row in Reference(family).GetProperty("prm").EnumerateArray())
        {
            var steps = row.GetProperty("steps").EnumerateArray().Select(s => s.GetString()!).ToList();
            var file = dir.File("steps.txt", string.Join("\n\n", steps) + "\n");
            var r = await Cli.RunAsync(Cpu, "model", "score", imported.Manifest(family), "--problem", row.GetProperty("problem").GetString()!,
                "--steps-file", file, "--json");
            Assert.True(r.ExitCode == 0, r.Output);
            var output = JsonDocument.Parse(r.Output).RootElement;
            Assert.Equal(steps, output.GetProperty("steps").EnumerateArray().Select(s => s.GetString()));
            // The adapter builds exactly the model card's input ...
            Assert.Equal(Ints(row.GetProperty("input_ids")), Ints(output.GetProperty("input_token_ids")));
            // ... and reads the head where the card does.
            var expected = row.GetProperty("scores").EnumerateArray().Select(s => s.GetDouble()).ToArray();
            var scores = output.GetProperty("scores").EnumerateArray().Select(s => s.GetDouble()).ToArray();
            Assert.Equal(expected.Length, scores.Length);
            for (var i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - scores[i]) <= 1e-3, $"{family} step {i}: {scores[i]:f6}, transformers {expected[i]:f6}");
        }
    }

    [Fact]
    public async Task Import_refuses_an_unknown_prm_format_before_running_anything()
    {
        using var dir = new Cli.TempDir();
        var r = await Cli.RunAsync(Cpu, "model", "import", Path.Combine(FixtureRoot, "qwen-prm"), "--out", dir.Path, "--prm-format", "orm");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--prm-format orm: not one of qwen-prm, math-shepherd, skywork, rlhflow", r.Output);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_python_without_numpy_and_onnx_is_refused_with_the_install_command()
    {
        using var dir = new Cli.TempDir();
        // A stand-in interpreter that runs (exit 0) and reports onnx as missing, as the probe prints it.
        var fake = dir.File("python3", "#!/bin/sh\necho onnx\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(["onnx"], ImporterPython.MissingModules(fake));
        var e = Assert.Throws<Pipeline.Producer.Infrastructure.CliException>(() => ImporterPython.Find(fake));
        Assert.Contains("missing Python module onnx", e.Message);
        Assert.Contains("apt-get install python3-numpy python3-onnx", e.Message);
        // An interpreter that does not start at all misses both.
        Assert.Equal(["numpy", "onnx"], ImporterPython.MissingModules(Path.Combine(dir.Path, "no-such-python")));
    }

    [Fact]
    public async Task A_bad_manifest_field_is_reported_with_file_line_and_field()
    {
        using var dir = new Cli.TempDir();
        var source = Path.GetDirectoryName(imported.Manifest("qwen-prm"))!;
        foreach (var f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(dir.Path, Path.GetFileName(f)));
        var manifest = Path.Combine(dir.Path, "qwen-prm.manifest.json");
        var text = File.ReadAllText(manifest);
        Assert.Contains("\"input\": \"chat\"", text);
        File.WriteAllText(manifest, text.Replace("\"input\": \"chat\"", "\"input\": \"dialogue\""));
        var steps = dir.File("steps.txt", "one\n\ntwo\n");
        var r = await Cli.RunAsync(Cpu, "model", "score", manifest, "--problem", "p", "--steps-file", steps, "--json");
        Assert.Equal(2, r.ExitCode);
        var line = File.ReadAllLines(manifest).ToList().FindIndex(l => l.Contains("\"input\"")) + 1;
        Assert.Contains(manifest, r.Output);
        Assert.Contains($"line {line}: field 'prm.input': 'dialogue' is not one of chat, plain, per_step, chat_turns", r.Output.Replace("\n", ""));
    }

    [Fact]
    public void The_importer_script_is_found_above_the_working_folder_or_its_absence_names_where_it_looked()
    {
        using var dir = new Cli.TempDir();
        var nested = Directory.CreateDirectory(Path.Combine(dir.Path, "a", "b")).FullName;
        var e = Assert.Throws<Pipeline.Producer.Infrastructure.CliException>(() => ImporterScript.Find(null, [nested]));
        Assert.Contains(Path.Combine(nested, "scripts", "hf_import", "import_hf.py"), e.Message);
        Assert.Contains(Path.Combine(dir.Path, "scripts", "hf_import", "import_hf.py"), e.Message);
        Assert.Contains(ImporterScript.Variable, e.Message);
        Assert.Equal(Path.Combine(RepoPaths.Root, "scripts", "hf_import", "import_hf.py"), ImporterScript.Find(null, [Path.Combine(RepoPaths.Root, "src", "Producer")]));
        Assert.Contains("file not found", Assert.Throws<Pipeline.Producer.Infrastructure.CliException>(() => ImporterScript.Find(Path.Combine(dir.Path, "x.py"), [])).Message);
    }

    [Fact]
    public async Task Import_prints_a_readable_summary_without_json()
    {
        using var dir = new Cli.TempDir();
        var r = await Cli.RunAsync(Cpu, "model", "import", Path.Combine(FixtureRoot, "skywork-prm"), "--out", dir.Path, "--dtype", "float32");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("Qwen2ForPrmModel", r.Output);   // the importer's own lines, streamed
        Assert.Contains("imported", r.Output);
        Assert.Contains("skywork (input per_step)", r.Output);
        Assert.True(File.Exists(Path.Combine(dir.Path, "skywork-prm.manifest.json")));
    }

    [Fact]
    public async Task Models_without_a_chat_template_use_their_prompt_template_and_prm_layout()
    {
        using var dir = new Cli.TempDir();
        var policy = RepoPaths.TinyModel("policy.manifest.json");
        var p = await Cli.RunAsync(Cpu, "model", "prompt", policy, "--user", "Compute $1+1$.", "--json");
        Assert.Equal(0, p.ExitCode);
        var prompt = JsonDocument.Parse(p.Output).RootElement;
        Assert.Equal("Compute $1+1$.\n\n", prompt.GetProperty("prompt").GetString());
        Assert.Equal(256, prompt.GetProperty("prompt_token_ids")[0].GetInt32());   // the tiny model's add_bos
        var g = await Cli.RunAsync(Cpu, "model", "generate", policy, "--problem", "Compute $1+1$.", "--max-new-tokens", "40", "--json");
        Assert.True(g.ExitCode == 0, g.Output);
        Assert.NotEmpty(JsonDocument.Parse(g.Output).RootElement.GetProperty("generated_token_ids").EnumerateArray());
        var steps = dir.File("steps.txt", "$1+1 = 2$.\n\nThe answer is $\\boxed{2}$.\n");
        var s = await Cli.RunAsync(Cpu, "model", "score", RepoPaths.TinyModel("prm.manifest.json"), "--problem", "Compute $1+1$.", "--steps-file", steps, "--json");
        Assert.True(s.ExitCode == 0, s.Output);
        var scores = JsonDocument.Parse(s.Output).RootElement.GetProperty("scores").EnumerateArray().Select(x => x.GetDouble()).ToList();
        Assert.Equal(2, scores.Count);
        Assert.All(scores, x => Assert.InRange(x, 0, 1));
    }

    [Fact]
    public void Steps_file_paragraphs_are_the_steps()
    {
        Assert.Equal(["Step 1: a\nstill step 1", "Step 2: b", "Step 3"],
            ModelScoreCommand.Paragraphs("\nStep 1: a\nstill step 1\n\n\n  \nStep 2: b\r\n\r\nStep 3\n"));
        Assert.Empty(ModelScoreCommand.Paragraphs("\n \n"));
    }

    private static string FixtureRoot => Path.Combine(RepoPaths.Root, "tests", "Fixtures", "hf");

    private static JsonElement Reference(string family) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureRoot, family, "reference.json"))).RootElement;

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static int TokenId(string family, string token)
    {
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureRoot, family, "tokenizer.json"))).RootElement;
        foreach (var t in root.GetProperty("added_tokens").EnumerateArray())
            if (t.GetProperty("content").GetString() == token) return t.GetProperty("id").GetInt32();
        return root.GetProperty("model").GetProperty("vocab").GetProperty(token).GetInt32();
    }

    /// <summary>Each fixture imported once through <c>pipeline model import --json</c> (float32, CPU layouts).</summary>
    public sealed class Imported : IDisposable
    {
        private readonly Cli.TempDir _dir = new();
        private readonly Dictionary<string, (string Manifest, JsonElement Summary)> _models = [];

        public Imported()
        {
            // --max-positions 4096: the Llama fixtures say 131072, whose rotary tables only slow the tests down.
            Import("llama-policy", "", "--dtype", "float32", "--layout", "concat", "--max-positions", "4096");
            Import("llama-policy", "shared", "--dtype", "float32", "--layout", "shared", "--max-positions", "4096");
            Import("qwen2-policy", "", "--dtype", "float32", "--layout", "concat");
            Import("qwen-prm", "", "--dtype", "float32");
            Import("math-shepherd", "", "--dtype", "float32", "--role", "prm");
            Import("skywork-prm", "", "--dtype", "float32");
            Import("rlhflow-prm", "", "--dtype", "float32", "--role", "prm", "--max-positions", "4096");
        }

        public string Manifest(string family, string layout = "") => _models[$"{family}/{layout}"].Manifest;
        public JsonElement Summary(string family, string layout = "") => _models[$"{family}/{layout}"].Summary;

        private void Import(string family, string layout, params string[] args)
        {
            var outDir = Path.Combine(_dir.Path, family + (layout == "" ? "" : "-" + layout));
            var r = Cli.RunAsync(Cpu, ["model", "import", Path.Combine(FixtureRoot, family), "--out", outDir, "--json", .. args]).GetAwaiter().GetResult();
            if (r.ExitCode != 0) throw new InvalidOperationException($"model import {family} exited {r.ExitCode}: {r.Output}");
            var summary = JsonDocument.Parse(r.Output).RootElement;
            _models[$"{family}/{layout}"] = (summary.GetProperty("manifest").GetString()!, summary);
        }

        public void Dispose() => _dir.Dispose();
    }
}
