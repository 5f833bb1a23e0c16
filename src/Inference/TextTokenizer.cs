using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Pipeline.Inference;

/// <summary>A model's tokenizer. GPT-2/Qwen style <c>vocab.json</c> + <c>merges.txt</c> (the tiny models):
/// byte-level BPE through Microsoft.ML.Tokenizers, special tokens named by the manifest (bos/eos/pad, PRM
/// separator and step tag) kept whole. A Hugging Face <c>tokenizer.json</c> ("hf-json"): Hugging Face's own
/// tokenizers library (<see cref="HfJsonTokenizer"/>), token for token as in Python (docs/models.md "Tokenization").</summary>
public sealed class TextTokenizer : IDisposable
{
    // GPT-2's pre-tokenizer split, and Qwen2's (digits one by one, newlines kept with punctuation).
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    internal const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private readonly BpeTokenizer? _bpe;
    private readonly HfJsonTokenizer? _hf;
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

    private TextTokenizer(HfJsonTokenizer hf)
    {
        _hf = hf;
        Vocabulary = hf.Vocabulary;
        _pieces = [];
    }

    public IReadOnlyDictionary<string, int> Vocabulary { get; }

    /// <summary>True for a Hugging Face tokenizer.json run by Hugging Face's library: exact
    /// <see cref="EncodeWithSpecialTokens"/>, no character offsets.</summary>
    public bool IsHuggingFace => _hf is not null;

    /// <summary>Builds the tokenizer of a manifest; <paramref name="specialTokens"/> are tokens of the vocabulary
    /// that must never be split or merged (those absent from the vocabulary are ignored).</summary>
    public static TextTokenizer Load(TokenizerSpec spec, IEnumerable<string> specialTokens)
    {
        // tokenizer.json: its own added tokens decide what stays whole, as in Python.
        if (spec.Kind == "hf-json") return new TextTokenizer(HfJsonTokenizer.Load(spec.TokenizerJsonPath!));
        var vocab = ReadVocab(spec.VocabPath!);
        IEnumerable<string> merges = ReadMerges(spec.MergesPath!);
        var pattern = spec.Kind == "qwen2-bpe" ? Qwen2Pattern : Gpt2Pattern;
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
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

    /// <summary>Token ids of a text, no special tokens added (Python: <c>add_special_tokens=False</c>;
    /// special tokens written in the text are still recognised).</summary>
    public int[] Encode(string text)
    {
        if (_hf is not null) return _hf.Encode(text);
        lock (_lock) return _bpe!.EncodeToIds(text).ToArray();
    }

    /// <summary>Token ids as <c>tokenizer(text)</c> gives them by default: the tokenizer.json post-processor's
    /// special tokens (e.g. BOS) added. vocab.json + merges.txt tokenizers have no post-processor: as <see cref="Encode"/>.</summary>
    public int[] EncodeWithSpecialTokens(string text) => _hf is not null ? _hf.EncodeWithSpecialTokens(text) : Encode(text);

    /// <summary>Token ids of a text with each token's character range in it (vocab.json + merges.txt
    /// tokenizers only; Hugging Face ones find marker tokens by id, see <see cref="PrmAdapters"/>).</summary>
    public IReadOnlyList<EncodedToken> EncodeWithOffsets(string text)
    {
        if (_hf is not null)
            throw new InvalidOperationException("character offsets are not available for a Hugging Face tokenizer.json; give the PRM manifest a 'prm.input' recipe");
        lock (_lock) return _bpe!.EncodeToTokens(text, out _);
    }

    /// <summary>Text of token ids; special tokens (bos, eos, ...) are left out (Python: <c>skip_special_tokens=True</c>).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        if (_hf is not null) return _hf.Decode(ids);
        lock (_lock) return _bpe!.Decode(ids, considerSpecialTokens: false);
    }

    /// <summary>Text of one token, cached; a byte-level token holding part of a UTF-8 character decodes
    /// to a replacement character here, so use it only to look for ASCII stop strings.</summary>
    public string Piece(int id)
    {
        if (_hf is not null) return _hf.Piece(id);
        if ((uint)id >= (uint)_pieces.Length) return "";
        return _pieces[id] ??= Decode([id]);
    }

    /// <summary>Id of a token that must exist in the vocabulary (special tokens, PRM labels).</summary>
    public int TokenId(string token, string manifestPath, string field) =>
        Vocabulary.TryGetValue(token, out var id) ? id
        : Encode(token) is [var single] ? single
        : throw new ModelFormatException(manifestPath, $"field '{field}': token '{token}' is not a single token of the vocabulary");

    public void Dispose() => _hf?.Dispose();

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
}
