// TEMPORARY: the API of branch `jinja` (Pipeline.Inference.Templates.ChatTemplate), so this branch builds
// before that branch lands. Deleted when `jinja` is merged.
namespace Pipeline.Inference.Templates;

public sealed record ChatMessage(string Role, string Content);

public sealed record ChatTemplateOptions
{
    public string? BosToken { get; init; }
    public string? EosToken { get; init; }
    public DateTime? Now { get; init; }
    public IReadOnlyDictionary<string, object?>? Extra { get; init; }
}

public sealed class ChatTemplate
{
    private ChatTemplate() { }
    public static ChatTemplate Parse(string template, string sourceName) => throw new NotSupportedException("chat templates arrive with branch jinja");
    public static ChatTemplate Load(string path) => Parse(File.ReadAllText(path), path);
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options) => throw new NotSupportedException();
}
