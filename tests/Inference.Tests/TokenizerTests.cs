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
            // GPT-2 byte alphabet for a, b, space (Ġ), three ranked merges (both file spellings) and an added special token.
            var json = """
            {"added_tokens":[{"id":6,"content":"<|endoftext|>","special":true}],
             "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false},
             "model":{"type":"BPE","vocab":{"a":0,"b":1,"Ġ":2,"ab":3,"Ġab":4,"Ġa":5},"merges":["Ġ a",["Ġa","b"],"a b"]}}
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
}
