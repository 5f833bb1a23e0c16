namespace Pipeline.Inference.Templates;

/// <summary>One chat turn as Hugging Face passes it to a chat template: a dict with "role" and "content".</summary>
public sealed record ChatMessage(string Role, string Content);
