using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Pipeline.Inference;

/// <summary>A model's tokenizer: byte-level BPE through Microsoft.ML.Tokenizers, built from GPT-2/Qwen
/// style <c>vocab.json</c> + <c>merges.txt</c> or from a Hugging Face <c>tokenizer.json</c>.
/// Special tokens named by the manifest (bos/eos/pad, PRM separator and step tag) are always kept whole.</summary>
public sealed class TextTokenizer
{
    // GPT-2's pre-tokenizer split, and Qwen2's (digits one by one, newlines kept with punctuation).
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    internal const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private readonly BpeTokenizer _bpe;
    private readonly string[] _pieces;
    // The BPE tokenizer keeps an internal merge cache; calls are serialised rather than trusting it
    // across threads (concurrent batches of one worker share one model). Encoding is a tiny part of a call.
    private readonly Lock _lock = new();

    private TextTokenizer(BpeTokenizer bpe, IReadOnlyDictionary<string, int> vocab)
    {
        _bpe = bpe;
        Vocabulary = vocab;
        var size = vocab.Count == 0 ? 0 : vocab.Values.Max() + 1;
        _pieces = new string[size];
    }

    public IReadOnlyDictionary<string, int> Vocabulary { get; }

    /// <summary>Builds the tokenizer of a manifest; <paramref name="specialTokens"/> are tokens of the vocabulary
    /// that must never be split or merged (those absent from the vocabulary are ignored).</summary>
    public static TextTokenizer Load(TokenizerSpec spec, IEnumerable<string> specialTokens)
    {
        Dictionary<string, int> vocab;
        IEnumerable<string> merges;
        string pattern;
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (spec.Kind == "hf-json")
        {
            (vocab, merges, pattern, added) = ReadTokenizerJson(spec.TokenizerJsonPath!);
        }
        else
        {
            vocab = ReadVocab(spec.VocabPath!);
            merges = ReadMerges(spec.MergesPath!);
            pattern = spec.Kind == "qwen2-bpe" ? Qwen2Pattern : Gpt2Pattern;
        }
        foreach (var token in specialTokens)
            if (vocab.TryGetValue(token, out var id)) added[token] = id;
        foreach (var (token, id) in added) vocab[token] = id;

        var options = new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = added,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), added),
        };
        return new TextTokenizer(BpeTokenizer.Create(options), vocab);
    }

    /// <summary>Token ids of a text (no bos added).</summary>
    public int[] Encode(string text)
    {
        lock (_lock) return _bpe.EncodeToIds(text).ToArray();
    }

    /// <summary>Token ids of a text with each token's character range in it.</summary>
    public IReadOnlyList<EncodedToken> EncodeWithOffsets(string text)
    {
        lock (_lock) return _bpe.EncodeToTokens(text, out _);
    }

    /// <summary>Text of token ids; special tokens (bos, eos, ...) are left out.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        lock (_lock) return _bpe.Decode(ids, considerSpecialTokens: false);
    }

    /// <summary>Text of one token, cached; a byte-level token holding part of a UTF-8 character decodes
    /// to a replacement character here, so use it only to look for ASCII stop strings.</summary>
    public string Piece(int id)
    {
        if ((uint)id >= (uint)_pieces.Length) return "";
        return _pieces[id] ??= Decode([id]);
    }

    /// <summary>Id of a token that must exist in the vocabulary (special tokens, PRM labels).</summary>
    public int TokenId(string token, string manifestPath, string field) =>
        Vocabulary.TryGetValue(token, out var id) ? id
        : Encode(token) is [var single] ? single
        : throw new ModelFormatException(manifestPath, $"field '{field}': token '{token}' is not a single token of the vocabulary");

    private static Dictionary<string, int> ReadVocab(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<Dictionary<string, int>>(stream)
                   ?? throw new ModelFormatException(path, "line 1: vocabulary is JSON null, expected an object of token -> id");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"line {(e.LineNumber ?? 0) + 1}: malformed vocabulary JSON ({e.Message})", e);
        }
    }

    private static List<string> ReadMerges(string path)
    {
        var merges = new List<string>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.StartsWith("#version", StringComparison.Ordinal) || line.Length == 0) continue;
            if (line.Split(' ').Length != 2)
                throw new ModelFormatException(path, $"line {lineNo}: a merge must be two tokens separated by one space, got '{line}'");
            merges.Add(line);
        }
        return merges;
    }

    private static (Dictionary<string, int>, List<string>, string, Dictionary<string, int>) ReadTokenizerJson(string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"line {(e.LineNumber ?? 0) + 1}: malformed tokenizer JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (!root.TryGetProperty("model", out var model) || model.GetProperty("type").GetString() != "BPE")
                throw new ModelFormatException(path, "field 'model.type': only BPE tokenizer.json files are supported");
            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var p in model.GetProperty("vocab").EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();
            var merges = new List<string>();
            foreach (var m in model.GetProperty("merges").EnumerateArray())
                merges.Add(m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!);
            var added = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("added_tokens", out var tokens))
                foreach (var t in tokens.EnumerateArray())
                    added[t.GetProperty("content").GetString()!] = t.GetProperty("id").GetInt32();
            var pattern = FindSplitPattern(root.TryGetProperty("pre_tokenizer", out var pre) ? pre : default) ?? Gpt2Pattern;
            return (vocab, merges, pattern, added);
        }
    }

    // The regex of the first "Split" pre-tokenizer (Qwen2, Llama 3 and most recent BPE models have one).
    private static string? FindSplitPattern(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            if (e.TryGetProperty("type", out var type) && type.GetString() == "Split"
                && e.TryGetProperty("pattern", out var pattern) && pattern.TryGetProperty("Regex", out var regex))
                return regex.GetString();
            foreach (var p in e.EnumerateObject())
                if (FindSplitPattern(p.Value) is { } found) return found;
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
                if (FindSplitPattern(item) is { } found) return found;
        }
        return null;
    }
}
