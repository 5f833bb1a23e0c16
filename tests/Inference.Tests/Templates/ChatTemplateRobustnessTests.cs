using Pipeline.Inference.Templates;

namespace Pipeline.Inference.Tests.Templates;

/// <summary>Broken templates must fail as <see cref="ChatTemplateException"/> (with a position), never with
/// another exception type, a hang or a crash: seeded random mutations of the fixture templates.</summary>
public sealed class ChatTemplateRobustnessTests
{
    private static readonly string[] Insertions =
        ["{%", "%}", "{{", "}}", "{#", "#}", "-", "+", "(", ")", "[", "]", "{", "}", "'", "\"", "|", ".", ",", ":",
         " if ", " else ", " endif ", " for x in ", " endfor ", " in ", " is ", " not ", " and ", "loop.", "ns.", "=",
         "\\", "\n", "0", "1.5", "none", "[1:]", "|length", "|tojson", "()", "messages[0]", "~", "**", "//", "%"];

    [Fact]
    public void Random_mutations_of_real_templates_fail_only_as_template_errors()
    {
        var sources = Directory.GetFiles(TemplateGoldens.Folder, "*.jinja").Order().Select(File.ReadAllText).ToArray();
        var messages = TemplateGoldens.Messages("multi_turn");
        var options = new ChatTemplateOptions
        {
            BosToken = "<s>", EosToken = "</s>", Now = new DateTime(2024, 7, 26),
            Extra = new Dictionary<string, object?> { ["tools"] = new List<object?> { new Dictionary<string, object?> { ["type"] = "function" } } },
        };
        var random = new Random(20241201);
        int parsed = 0, rendered = 0, refused = 0;
        for (var i = 0; i < 3000; i++)
        {
            var text = sources[random.Next(sources.Length)];
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length + 1);
                text = random.Next(2) == 0 && at < text.Length
                    ? text.Remove(at, Math.Min(text.Length - at, random.Next(1, 6)))
                    : text.Insert(at, Insertions[random.Next(Insertions.Length)]);
            }
            try
            {
                var template = ChatTemplate.Parse(text, $"mutant {i}");
                parsed++;
                template.Render(messages, random.Next(2) == 0, options);
                rendered++;
            }
            catch (ChatTemplateException e)
            {
                Assert.True(e.Line >= 1 && e.Column >= 1, e.Message);
                refused++;
            }
        }
        // Both paths must have been exercised for the test to mean anything.
        Assert.True(refused > 300 && rendered > 300, $"parsed {parsed}, rendered {rendered}, refused {refused}");
    }
}
