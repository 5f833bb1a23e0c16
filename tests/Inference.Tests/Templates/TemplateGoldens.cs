using System.Globalization;
using System.Text.Json;
using Pipeline.Inference.Templates;

namespace Pipeline.Inference.Tests.Templates;

/// <summary>The cases of Fixtures/templates/goldens.json, rendered by the real jinja2 with transformers'
/// settings (make_goldens.py beside it).</summary>
internal static class TemplateGoldens
{
    public static string Folder => TestPaths.Fixture("templates");

    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "goldens.json"))).RootElement);

    private static readonly Dictionary<string, ChatTemplate> Parsed = new();

    public static IEnumerable<JsonElement> Cases => Root.Value.GetProperty("cases").EnumerateArray();

    public static JsonElement Case(string name) => Cases.Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>A case's field, or the file's default for it (make_goldens.py leaves defaults out).</summary>
    public static JsonElement Field(JsonElement c, string name) =>
        c.TryGetProperty(name, out var value) ? value : Root.Value.GetProperty("defaults").GetProperty(name);

    public static ChatTemplate Template(JsonElement c)
    {
        lock (Parsed)
        {
            if (c.TryGetProperty("template_source", out var source))
                return ChatTemplate.Parse(source.GetString()!, c.GetProperty("name").GetString()!);
            var file = c.GetProperty("template").GetString()!;
            if (!Parsed.TryGetValue(file, out var template))
                Parsed[file] = template = ChatTemplate.Load(Path.Combine(Folder, file));
            return template;
        }
    }

    public static List<ChatMessage> Messages(string conversation) =>
        Root.Value.GetProperty("conversations").GetProperty(conversation).EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToList();

    public static ChatTemplateOptions Options(JsonElement c)
    {
        var extra = Root.Value.GetProperty("extras").GetProperty(Field(c, "extra").GetString()!)
            .EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        return new ChatTemplateOptions
        {
            BosToken = Field(c, "bos_token").GetString(),
            EosToken = Field(c, "eos_token").GetString(),
            Now = DateTime.Parse(Field(c, "now").GetString()!, CultureInfo.InvariantCulture),
            Extra = extra,
        };
    }

    public static string Render(JsonElement c) =>
        Template(c).Render(Messages(Field(c, "conversation").GetString()!), Field(c, "add_generation_prompt").GetBoolean(), Options(c));
}
