using System.Collections;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Inference.Templates;

/// <summary>A Hugging Face chat template (Jinja2), parsed once and rendered as transformers'
/// <c>apply_chat_template</c> renders it: jinja2's ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks
/// and loopcontrols, transformers' tojson, raise_exception and strftime_now. Immutable after Parse, so one
/// instance serves concurrent renders. docs/models.md ("Chat templates") lists the supported subset.</summary>
public sealed class ChatTemplate
{
    private readonly Stmt[] _body;
    private readonly SourceMap _map;

    private ChatTemplate(Stmt[] body, SourceMap map)
    {
        _body = body;
        _map = map;
    }

    /// <summary>The template's name in error messages.</summary>
    public string SourceName => _map.Name;

    public static ChatTemplate Parse(string template, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(template);
        var text = TemplateLexer.Normalize(template);
        var map = new SourceMap(sourceName, text);
        var tokens = TemplateLexer.Tokenize(text, map);
        return new ChatTemplate(TemplateParser.Parse(tokens, map), map);
    }

    /// <summary>Reads a .jinja file (UTF-8, as Python's open(encoding="utf-8") reads it: a byte-order mark stays
    /// part of the text, invalid bytes are an error) and parses it; errors name the file.</summary>
    public static ChatTemplate Load(string path)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException e)
        {
            throw new ChatTemplateException(path, 1, 1, $"the file is not valid UTF-8 ({e.Message})");
        }
        return Parse(text, path);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(options);
        var vars = new Scope(JinjaGlobals.Scope);
        var list = new List<object?>(messages.Count);
        foreach (var message in messages) list.Add(ToMessage(message));
        vars.Set("messages", list);
        vars.Set("tools", null);
        vars.Set("documents", null);
        vars.Set("add_generation_prompt", addGenerationPrompt);
        if (options.BosToken is not null) vars.Set("bos_token", options.BosToken);
        if (options.EosToken is not null) vars.Set("eos_token", options.EosToken);
        if (options.Extra is not null)
            foreach (var (name, value) in options.Extra)
            {
                if (name is "messages" or "add_generation_prompt")
                    throw new ArgumentException($"ChatTemplateOptions.Extra may not set '{name}': it is an argument of Render", nameof(options));
                vars.Set(name, FromClr(value, name));
            }
        var context = new RenderContext(options, _map, vars);
        Stmt.ExecBody(_body, context);
        return context.Out.ToString();
    }

    private static PyDict ToMessage(ChatMessage message)
    {
        var dict = new PyDict();
        dict.Set("role", message.Role);
        dict.Set("content", message.Content);
        return dict;
    }

    /// <summary>Turns a caller's value into what the template sees, as Python would after json.loads.</summary>
    private static object? FromClr(object? value, string path) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        int or long or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        ulong u => checked((long)u),
        float or double or decimal => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
        ChatMessage m => ToMessage(m),
        JsonElement e => FromJson(e),
        JsonNode n => FromJson(JsonSerializer.SerializeToElement(n)),
        IEnumerable<KeyValuePair<string, object?>> pairs => Dict(pairs.Select(p => (p.Key, (object?)p.Value)), path),
        IDictionary dict => Dict(dict.Keys.Cast<object>().Select(k => (Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture)!, dict[k])), path),
        IEnumerable seq => seq.Cast<object?>().Select((x, i) => FromClr(x, $"{path}[{i}]")).ToList(),
        _ => throw new ArgumentException($"template variable '{path}': values of type {value.GetType().Name} cannot be passed to a chat template"),
    };

    private static PyDict Dict(IEnumerable<(string Key, object? Value)> pairs, string path)
    {
        var dict = new PyDict();
        foreach (var (key, value) in pairs) dict.Set(key, FromClr(value, $"{path}.{key}"));
        return dict;
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => JsonObject(e),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l
            : e.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0
                ? throw new ArgumentException($"template variable value {e.GetRawText()}: integers beyond 64 bits are not supported")
                : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static PyDict JsonObject(JsonElement e)
    {
        var dict = new PyDict();
        foreach (var property in e.EnumerateObject()) dict.Set(property.Name, FromJson(property.Value));
        return dict;
    }
}
