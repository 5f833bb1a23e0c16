using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HfTokenizer = Tokenizers.DotNet.Tokenizer;

namespace Pipeline.Inference;

/// <summary>A Hugging Face <c>tokenizer.json</c> run by Hugging Face's own tokenizers library (Rust, through
/// Tokenizers.DotNet), so normalizers, pre-tokenizers, <c>ignore_merges</c>, byte fallback, added tokens,
/// post-processors and decoders behave exactly as in Python. The wrapper only offers encode (special tokens
/// added) and decode (special tokens skipped); encoding without special tokens runs a second instance whose
/// <c>post_processor</c> is removed, which is what <c>add_special_tokens=False</c> does in the library.</summary>
internal sealed class HfJsonTokenizer : IDisposable
{
    private readonly HfTokenizer _withSpecials;
    private readonly HfTokenizer _plain;
    private readonly string[] _pieces;
    // The wrapper marshals through native buffers; serialise calls rather than rely on its internals.
    private readonly Lock _lock = new();

    private HfJsonTokenizer(HfTokenizer withSpecials, HfTokenizer plain, Dictionary<string, int> vocab, HashSet<int> special, string[] pieces)
    {
        _withSpecials = withSpecials;
        _plain = plain;
        Vocabulary = vocab;
        SpecialIds = special;
        _pieces = pieces;
    }

    public IReadOnlyDictionary<string, int> Vocabulary { get; }
    /// <summary>Ids of added tokens marked <c>special</c> (left out by decode).</summary>
    public IReadOnlySet<int> SpecialIds { get; }

    public static HfJsonTokenizer Load(string path)
    {
        JsonNode root;
        try { root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new ModelFormatException(path, "line 1: tokenizer JSON is null"); }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"line {(e.LineNumber ?? 0) + 1}: malformed tokenizer JSON ({e.Message})", e);
        }
        if (root["model"]?["vocab"] is not JsonObject vocabJson)
            throw new ModelFormatException(path, "field 'model.vocab': missing (a tokenizer.json needs a model with a vocabulary)");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocabJson) vocab[token] = id!.GetValue<int>();
        var special = new HashSet<int>();
        if (root["added_tokens"] is JsonArray added)
            foreach (var t in added.OfType<JsonObject>())
            {
                var id = t["id"]!.GetValue<int>();
                vocab[t["content"]!.GetValue<string>()] = id;
                if (t["special"]?.GetValue<bool>() == true) special.Add(id);
            }
        var pieces = Pieces(vocab, IsByteLevel(root["decoder"]));

        var withSpecials = Open(path, path);
        root["post_processor"] = null;
        var plainPath = Path.Combine(Path.GetTempPath(), $"pipeline-tokenizer-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(plainPath, root.ToJsonString());
            return new HfJsonTokenizer(withSpecials, Open(plainPath, path), vocab, special, pieces);
        }
        catch
        {
            withSpecials.Dispose();
            throw;
        }
        finally
        {
            File.Delete(plainPath);
        }
    }

    /// <summary>As <c>tokenizer(text, add_special_tokens=False)</c>.</summary>
    public int[] Encode(string text)
    {
        lock (_lock) return ToInts(_plain.Encode(text));
    }

    /// <summary>As <c>tokenizer(text)</c> by default: the post-processor's special tokens (e.g. BOS) added.</summary>
    public int[] EncodeWithSpecialTokens(string text)
    {
        lock (_lock) return ToInts(_withSpecials.Encode(text));
    }

    /// <summary>As <c>tokenizer.decode(ids, skip_special_tokens=True)</c>.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var u = ids.Select(i => (uint)i).ToArray();
        if (u.Length == 0) return "";
        lock (_lock) return _withSpecials.Decode(u);
    }

    /// <summary>The text of one token as it reads inside a longer text (a SentencePiece "▁" is a space,
    /// a byte token its byte when ASCII), for stop-string checks; "" for special tokens.</summary>
    public string Piece(int id) => (uint)id < (uint)_pieces.Length && !SpecialIds.Contains(id) ? _pieces[id] ?? "" : "";

    public void Dispose()
    {
        _withSpecials.Dispose();
        _plain.Dispose();
    }

    private static HfTokenizer Open(string file, string reportAs)
    {
        try { return new HfTokenizer(file); }
        catch (Exception e) when (e is Tokenizers.DotNet.TokenizerException or DllNotFoundException or BadImageFormatException)
        {
            throw new ModelFormatException(reportAs, $"Hugging Face tokenizers could not load it: {e.Message}", e);
        }
    }

    private static int[] ToInts(uint[] ids) => Array.ConvertAll(ids, i => (int)i);

    private static bool IsByteLevel(JsonNode? decoder) => decoder switch
    {
        JsonObject o when o["type"]?.GetValue<string>() == "ByteLevel" => true,
        JsonObject o when o["decoders"] is JsonArray list => list.Any(IsByteLevel),
        _ => false,
    };

    private static string[] Pieces(Dictionary<string, int> vocab, bool byteLevel)
    {
        var pieces = new string[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        var bytes = byteLevel ? ByteLevelAlphabet() : null;
        foreach (var (token, id) in vocab)
        {
            if (bytes is not null)
            {
                var buffer = new List<byte>(token.Length);
                foreach (var c in token) buffer.Add(bytes.TryGetValue(c, out var b) ? b : (byte)'?');
                pieces[id] = Encoding.UTF8.GetString(buffer.ToArray());
            }
            else if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
                     && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var raw))
            {
                pieces[id] = raw < 0x80 ? ((char)raw).ToString() : "\uFFFD";
            }
            else
            {
                pieces[id] = token.Replace('\u2581', ' ');
            }
        }
        return pieces;
    }

    // GPT-2's byte <-> printable character table used by byte-level BPE vocabularies.
    private static Dictionary<char, byte> ByteLevelAlphabet()
    {
        var map = new Dictionary<char, byte>();
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[printable ? (char)b : (char)next++] = (byte)b;
        }
        return map;
    }
}
