namespace Pipeline.Inference.Tests;

/// <summary>The manifest fields of imported checkpoints (docs/import-contract.md): parsed into ModelManifest /
/// PrmHeadSpec, and every bad value named by file, line and field like the older fields.</summary>
public sealed class ImportedManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("imported-manifest-tests").FullName;

    public ImportedManifestTests()
    {
        foreach (var f in new[] { "prm_two_class.onnx", "vocab.json", "merges.txt" })
            File.Copy(TestPaths.Fixture(f), Path.Combine(_dir, f));
        File.WriteAllText(Path.Combine(_dir, "chat_template.jinja"), "{% for m in messages %}{{ m.content }}{% endfor %}");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Prm = """
        "prm": {
          "format": "qwen-prm",
          "head": "two_class",
          "output": "logits",
          "label_index": 1,
          "input": "chat",
          "separator_token": "<extra_0>"
        }
        """;

    private const string Extra = """
        "stop_tokens": ["<|endoftext|>", "<extra_0>"],
        "chat_template": "chat_template.jinja",
        "system_prompt": "Please reason step by step.",
        "source": { "architecture": "Qwen2ForProcessRewardModel", "checkpoint": "/hf/prm", "config_sha256": "abc", "torch_dtype": "bfloat16" },
        "pretraining_tokens": 18000000000000,
        """;

    [Fact]
    public void Contract_fields_are_read_with_absolute_paths()
    {
        var m = ModelManifest.Load(Write(Extra, Prm));
        Assert.Equal(["<|endoftext|>", "<extra_0>"], m.StopTokens);
        Assert.Equal(m.StopTokens, m.EffectiveStopTokens);
        Assert.Equal(Path.Combine(_dir, "chat_template.jinja"), m.ChatTemplatePath);
        Assert.Equal("Please reason step by step.", m.SystemPrompt);
        Assert.Equal(new ModelSource("Qwen2ForProcessRewardModel", "/hf/prm", "abc", "bfloat16"), m.Source);
        Assert.Equal(18_000_000_000_000, m.PretrainingTokens);
        Assert.Equal("qwen-prm", m.Prm!.Format);
        Assert.Equal(PrmInputKind.Chat, m.Prm.Input);
        Assert.Equal(1, m.Prm.ScoreIndex);
    }

    [Fact]
    public void Token_logits_prm_with_label_ids_needs_no_step_tag_for_chat_turns()
    {
        var prm = """
            "prm": { "format": "rlhflow", "head": "token_logits", "output": "logits", "label_index": 0, "input": "chat_turns",
                     "good_token": "+", "bad_token": "-", "label_token_ids": [10, 12] }
            """;
        var m = ModelManifest.Load(Write(Extra, prm));
        Assert.Equal([10, 12], m.Prm!.LabelTokenIds!);
        Assert.Null(m.Prm.StepTag);
        Assert.Equal(0, m.Prm.ScoreIndex);
        var skywork = """
            "prm": { "format": "skywork", "head": "value", "output": "scores", "input": "per_step", "step_token": "\n" }
            """;
        Assert.Equal("\n", ModelManifest.Load(Write("", skywork)).Prm!.StepToken);
    }

    [Fact]
    public void Older_manifests_get_the_eos_token_as_their_only_stop_token()
    {
        var m = ModelManifest.Load(TestPaths.Fixture("prm_two_class.manifest.json"));
        Assert.Empty(m.StopTokens);
        Assert.Equal(["<|endoftext|>"], m.EffectiveStopTokens);
        Assert.Null(m.ChatTemplatePath);
        Assert.Null(m.Prm!.Input);
    }

    [Theory]
    [InlineData("\"format\": \"qwen-prm\"", "\"format\": \"orm\"", "format", "prm.format", "'orm' is not one of qwen-prm, math-shepherd, skywork, rlhflow")]
    [InlineData("\"input\": \"chat\"", "\"input\": \"dialogue\"", "input", "prm.input", "'dialogue' is not one of chat, plain, per_step, chat_turns")]
    [InlineData("\"label_index\": 1", "\"label_index\": 2", "label_index", "prm.label_index", "must be 0 or 1")]
    [InlineData("\"label_index\": 1", "\"label_token_ids\": [1, 2, 3]", "label_token_ids", "prm.label_token_ids", "must be two token ids [good, bad], got [1, 2, 3]")]
    [InlineData("\"stop_tokens\": [\"<|endoftext|>\", \"<extra_0>\"]", "\"stop_tokens\": [\"<|endoftext|>\", \"\"]", "stop_tokens", "stop_tokens", "entry 1 is missing or empty")]
    [InlineData("\"chat_template\": \"chat_template.jinja\"", "\"chat_template\": \"nope.jinja\"", "chat_template", "chat_template", "nope.jinja: file not found")]
    [InlineData("\"pretraining_tokens\": 18000000000000", "\"pretraining_tokens\": -5", "pretraining_tokens", "pretraining_tokens", "must be a positive integer or null")]
    [InlineData("\"chat_template\": \"chat_template.jinja\",", "", "input", "prm.input", "'chat' renders the chat template, but the manifest has no 'chat_template'")]
    public void Bad_values_name_file_line_and_field(string from, string to, string key, string field, string message)
    {
        var text = Text(Extra, Prm);
        Assert.Contains(from, text);
        text = text.Replace(from, to);
        var path = Path.Combine(_dir, "bad.manifest.json");
        File.WriteAllText(path, text);
        var e = Assert.Throws<ModelFormatException>(() => ModelManifest.Load(path));
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains($"\"{key}\"")) + 1;
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"line {line}: field '{field}': ", e.Message);
        Assert.Contains(message, e.Message[e.Message.IndexOf($"field '{field}': ", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void Per_step_input_needs_its_step_token()
    {
        var path = Write("", """ "prm": { "format": "skywork", "head": "value", "output": "scores", "input": "per_step" } """);
        var e = Assert.Throws<ModelFormatException>(() => ModelManifest.Load(path));
        Assert.Contains("field 'prm.step_token': missing or empty", e.Message);
    }

    private string Write(string extra, string prm)
    {
        var path = Path.Combine(_dir, $"m{Guid.NewGuid():N}.manifest.json");
        File.WriteAllText(path, Text(extra, prm));
        return path;
    }

    private static string Text(string extra, string prm) => $$"""
        {
          "name": "imported-prm",
          "role": "prm",
          "onnx": "prm_two_class.onnx",
          "tokenizer": { "kind": "gpt2-bpe", "vocab": "vocab.json", "merges": "merges.txt" },
          "bos_token": "<|endoftext|>",
          "eos_token": "<|endoftext|>",
          "add_bos": false,
          "prompt_template": "{problem}",
          "step_delimiter": "\n\n",
          {{extra}}
          "num_layers": 1, "num_heads": 1, "head_size": 1, "hidden_size": 1,
          "vocab_size": 259, "max_positions": 512, "parameter_count": 1000,
          {{prm}}
        }
        """;
}
