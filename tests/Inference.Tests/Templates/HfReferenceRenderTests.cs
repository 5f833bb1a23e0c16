using System.Text.Json;
using Pipeline.Inference.Templates;

namespace Pipeline.Inference.Tests.Templates;

/// <summary>The renders transformers itself made of the fixture checkpoints' chat templates
/// (tests/Fixtures/hf/*/reference.json: "chat_renders", "prompts[].rendered", "prm[].rendered"),
/// reproduced from the checkpoint files the way docs/import-contract.md builds each input.</summary>
public sealed class HfReferenceRenderTests
{
    private static string HfFixtures => Path.Combine(TestPaths.RepoRoot, "tests", "Fixtures", "hf");

    public static TheoryData<string, string, int> Renders()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var dir in Directory.GetDirectories(HfFixtures).Order())
        {
            var referencePath = Path.Combine(dir, "reference.json");
            if (!File.Exists(referencePath)) continue;
            using var reference = JsonDocument.Parse(File.ReadAllText(referencePath));
            var family = Path.GetFileName(dir);
            // Only the PRMs whose input is a chat render; Math-Shepherd's and Skywork's are plain text.
            var chatPrm = reference.RootElement.TryGetProperty("prm_format", out var format) && format.GetString() is "qwen-prm" or "rlhflow";
            foreach (var kind in new[] { "chat_renders", "prompts", "prm" })
            {
                if (!reference.RootElement.TryGetProperty(kind, out var list) || (kind == "prm" && !chatPrm)) continue;
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    if (item.TryGetProperty("text", out _) || item.TryGetProperty("rendered", out _)) data.Add(family, kind, i);
                    i++;
                }
            }
        }
        return data;
    }

    [Fact]
    public void The_fixtures_hold_transformers_renders_of_four_templates()
    {
        var families = Renders().Select(row => (string)row[0]).Distinct().Order().ToArray();
        Assert.Equal(["llama-policy", "qwen-prm", "qwen2-policy", "rlhflow-prm"], families);
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public void Renders_as_transformers_rendered_the_checkpoint(string family, string kind, int index)
    {
        var dir = Path.Combine(HfFixtures, family);
        using var referenceDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "reference.json")));
        var reference = referenceDoc.RootElement;
        var item = reference.GetProperty(kind)[index];
        var (template, options) = LoadCheckpointTemplate(dir);
        if (reference.TryGetProperty("date_string", out var date))
            options = options with { Extra = new Dictionary<string, object?>(options.Extra!) { ["date_string"] = date.GetString() } };
        var system = reference.TryGetProperty("system_prompt", out var sp) ? sp.GetString()! : "";

        string expected, actual;
        switch (kind)
        {
            case "chat_renders":
                expected = item.GetProperty("text").GetString()!;
                var messages = item.GetProperty("messages").EnumerateArray()
                    .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
                var chatOptions = item.TryGetProperty("date_string", out var d)
                    ? options with { Extra = new Dictionary<string, object?>(options.Extra!) { ["date_string"] = d.GetString() } }
                    : options;
                actual = template.Render(messages, item.GetProperty("add_generation_prompt").GetBoolean(), chatOptions);
                break;
            case "prompts":
                // A policy prompt: system prompt and problem, generation prompt on (import contract, "chat_template").
                expected = item.GetProperty("rendered").GetString()!;
                var prompt = new List<ChatMessage>();
                if (system.Length > 0) prompt.Add(new ChatMessage("system", system));
                prompt.Add(new ChatMessage("user", item.GetProperty("problem").GetString()!));
                actual = template.Render(prompt, true, options);
                break;
            default:
                expected = item.GetProperty("rendered").GetString()!;
                actual = template.Render(PrmMessages(reference.GetProperty("prm_format").GetString()!, system, item), false, options);
                break;
        }
        Assert.Equal(expected, actual);
    }

    /// <summary>The PRM inputs of docs/import-contract.md: "chat" (Qwen2.5-Math-PRM) and "chat_turns" (RLHFlow).</summary>
    private static List<ChatMessage> PrmMessages(string format, string system, JsonElement item)
    {
        var problem = item.GetProperty("problem").GetString()!;
        var steps = item.GetProperty("steps").EnumerateArray().Select(s => s.GetString()!).ToList();
        switch (format)
        {
            case "qwen-prm":
                return [new("system", system), new("user", problem), new("assistant", string.Join("<extra_0>", steps) + "<extra_0>")];
            case "rlhflow":
                var turns = new List<ChatMessage>();
                for (var k = 0; k < steps.Count; k++)
                {
                    turns.Add(new ChatMessage("user", k == 0 ? problem + " " + steps[k] : steps[k]));
                    turns.Add(new ChatMessage("assistant", "+"));
                }
                return turns;
            default:
                throw new InvalidOperationException($"no chat input for prm format {format}");
        }
    }

    /// <summary>The template and special tokens as transformers reads them: chat_template.jinja, else
    /// tokenizer_config.json's chat_template (a string, or a list of {name, template} with "default").</summary>
    private static (ChatTemplate Template, ChatTemplateOptions Options) LoadCheckpointTemplate(string dir)
    {
        using var configDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer_config.json")));
        var config = configDoc.RootElement;
        ChatTemplate template;
        var file = Path.Combine(dir, "chat_template.jinja");
        if (File.Exists(file)) template = ChatTemplate.Load(file);
        else
        {
            var value = config.GetProperty("chat_template");
            var text = value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : value.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "default").GetProperty("template").GetString()!;
            template = ChatTemplate.Parse(text, Path.Combine(dir, "tokenizer_config.json") + " chat_template");
        }
        string? Token(string name) => config.TryGetProperty(name, out var t) ? t.ValueKind switch
        {
            JsonValueKind.String => t.GetString(),
            JsonValueKind.Object => t.GetProperty("content").GetString(),
            _ => null,
        } : null;
        var extra = new Dictionary<string, object?>();
        foreach (var name in new[] { "unk_token", "pad_token" })
            if (Token(name) is { } token) extra[name] = token;
        return (template, new ChatTemplateOptions { BosToken = Token("bos_token"), EosToken = Token("eos_token"), Extra = extra });
    }
}
