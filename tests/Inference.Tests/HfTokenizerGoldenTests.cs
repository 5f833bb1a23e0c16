using System.Text.Json;

namespace Pipeline.Inference.Tests;

/// <summary>Hugging Face tokenizers' ids of every MATH-500 problem and solution (plus the Math-Shepherd
/// lines) for the three fixture tokenizer kinds (tests/Fixtures/hf/tokenization, written by
/// scripts/gpu/make_hf_fixtures.py with tokenizers' <c>encode(text)</c>), token for token.</summary>
public sealed class HfTokenizerGoldenTests
{
    public static TheoryData<string, string> Kinds => new()
    {
        { "llama3", "llama-policy" },   // byte-level BPE, ignore_merges, BOS by TemplateProcessing
        { "qwen2", "qwen2-policy" },    // byte-level BPE, NFC normalizer, no BOS
        { "mistral", "math-shepherd" }, // SentencePiece BPE: Prepend/Replace "▁", byte fallback, <s> by TemplateProcessing
    };

    [SkippableTheory]
    [MemberData(nameof(Kinds))]
    public void Every_math500_text_encodes_as_hugging_face_tokenizers(string golden, string family)
    {
        var math = File.ReadAllLines(SharedDataFiles.Require("math500_test.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        using var tok = TextTokenizer.Load(new TokenizerSpec("hf-json", null, null, HfFixtures.File(family, "tokenizer.json")), []);
        var lines = File.ReadAllLines(HfFixtures.File("tokenization", golden + ".jsonl"));
        Assert.Equal(1007, lines.Length);
        var checkedTexts = 0;
        var bos = golden == "qwen2" ? 0 : 1;
        var decodeDiffers = new List<string>();
        foreach (var line in lines)
        {
            var row = JsonDocument.Parse(line).RootElement;
            var field = row.GetProperty("field").GetString()!;
            var text = field == "extra" ? row.GetProperty("text").GetString()! : math[row.GetProperty("index").GetInt32()].GetProperty(field).GetString()!;
            var expected = row.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var ids = tok.EncodeWithSpecialTokens(text);
            Assert.True(expected.SequenceEqual(ids), $"{golden} {field} {row.GetProperty("index")}: expected [{string.Join(",", expected.Take(40))}...] got [{string.Join(",", ids.Take(40))}...]");
            // Without special tokens: the same ids less the post-processor's BOS.
            Assert.Equal(expected.Skip(bos), tok.Encode(text));
            if (tok.Decode(ids) != text) decodeDiffers.Add($"{field} {row.GetProperty("index")}");
            checkedTexts++;
        }
        Assert.Equal(1007, checkedTexts);
        // One tokenizer shared by concurrent batches: the same ids from many threads at once.
        var texts = math.Take(200).Select(m => m.GetProperty("solution").GetString()!).ToList();
        var sequential = texts.Select(tok.EncodeWithSpecialTokens).ToList();
        var parallel = new int[texts.Count][];
        Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = i % 2 == 0 ? tok.EncodeWithSpecialTokens(texts[i]) : [.. tok.Encode(texts[i])]);
        for (var i = 0; i < texts.Count; i++)
            Assert.Equal(i % 2 == 0 ? sequential[i] : sequential[i][bos..], parallel[i]);
        // Byte-level BPE and byte fallback lose nothing; only Qwen2's NFC normalizer may change a text.
        if (golden != "qwen2") Assert.Empty(decodeDiffers);
    }
}
