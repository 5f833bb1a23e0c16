using System.Text;

namespace Pipeline.Inference.Tests;

[Collection("models")]
public sealed class TokenizerTests(ModelsFixture models)
{
    [Theory]
    [InlineData("Compute $(17+25)\\times 3-40$.\n\n")]
    [InlineData("The answer is $\\boxed{86}$.\n\n")]
    [InlineData("héllo – 数学 ✓")]
    public void Tiny_tokenizer_is_bytes_like_the_training_code(string text)
    {
        // models/tiny-arith/train/task.py: encode(text) = list(text.encode("utf-8"))
        var expected = Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();
        Assert.Equal(expected, models.Policy.Tokenizer.Encode(text));
        Assert.Equal(text, models.Policy.Tokenizer.Decode(expected));
    }

    [Fact]
    public void Prompt_starts_with_bos()
    {
        var ids = models.Policy.EncodePrompt("1+1");
        Assert.Equal([256, (int)'1', (int)'+', (int)'1'], ids);
    }

    [Fact]
    public void Special_tokens_stay_whole_and_offsets_point_into_the_text()
    {
        var tok = TextTokenizer.Load(new TokenizerSpec("gpt2-bpe", TestPaths.Fixture("vocab.json"), TestPaths.Fixture("merges.txt"), null),
            ["<|endoftext|>", "<extra_0>", "ки"]);
        var text = "a<extra_0>b ки\n";
        var tokens = tok.EncodeWithOffsets(text);
        Assert.Equal([(int)'a', 257, (int)'b', (int)' ', 258, (int)'\n'], tokens.Select(t => t.Id).ToArray());
        var (o, l) = tokens[4].Offset.GetOffsetAndLength(text.Length);
        Assert.Equal("ки", text.Substring(o, l));
        Assert.Equal("ab \n", tok.Decode(tokens.Select(t => t.Id)));
    }

    [Fact]
    public void Hugging_face_tokenizer_json_loads_with_merges()
    {
        var dir = Directory.CreateTempSubdirectory("hfjson").FullName;
        try
        {
            // GPT-2 byte alphabet for a, b, space (Ġ), three ranked merges (the pair spelling of recent files) and an added special
            // token (with every field Hugging Face's loader requires of one).
            var json = """
            {"added_tokens":[{"id":6,"content":"<|endoftext|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
             "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
             "decoder":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
             "model":{"type":"BPE","vocab":{"a":0,"b":1,"Ġ":2,"ab":3,"Ġab":4,"Ġa":5},"merges":[["Ġ","a"],["Ġa","b"],["a","b"]]}}
            """;
            var path = Path.Combine(dir, "tokenizer.json");
            File.WriteAllText(path, json);
            var tok = TextTokenizer.Load(new TokenizerSpec("hf-json", null, null, path), ["<|endoftext|>"]);
            Assert.Equal([3, 4, 6], tok.Encode("ab ab<|endoftext|>"));
            Assert.Equal("ab ab", tok.Decode([3, 4, 6]));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Qwen2_pre_tokenizer_splits_digits_where_gpt2_keeps_numbers_whole()
    {
        var dir = Directory.CreateTempSubdirectory("qwen2").FullName;
        try
        {
            File.Copy(TestPaths.Fixture("vocab.json"), Path.Combine(dir, "vocab.json"));
            var vocab = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(TestPaths.Fixture("vocab.json")))!;
            vocab["12"] = 300;
            File.WriteAllText(Path.Combine(dir, "vocab.json"), System.Text.Json.JsonSerializer.Serialize(vocab));
            File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n1 2\n");
            TextTokenizer Load(string kind) =>
                TextTokenizer.Load(new TokenizerSpec(kind, Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt"), null), []);
            Assert.Equal([300, (int)'3'], Load("gpt2-bpe").Encode("123"));
            Assert.Equal([(int)'1', (int)'2', (int)'3'], Load("qwen2-bpe").Encode("123"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Malformed_merges_line_names_file_and_line()
    {
        var dir = Directory.CreateTempSubdirectory("merges").FullName;
        try
        {
            var merges = Path.Combine(dir, "merges.txt");
            File.WriteAllText(merges, "#version: 0.2\na b\nabc\n");
            var e = Assert.Throws<ModelFormatException>(() =>
                TextTokenizer.Load(new TokenizerSpec("gpt2-bpe", TestPaths.Fixture("vocab.json"), merges, null), []));
            Assert.Equal(merges, e.FilePath);
            Assert.Contains("line 3", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
