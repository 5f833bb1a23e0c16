namespace Pipeline.Inference.Templates;

/// <summary>What a render sees besides the messages: the tokenizer's special tokens, the clock of
/// <c>strftime_now</c> and extra template variables (transformers' <c>**kwargs</c> of apply_chat_template).</summary>
public sealed record ChatTemplateOptions
{
    /// <summary><c>bos_token</c>; null leaves the variable undefined, as for a tokenizer without one.</summary>
    public string? BosToken { get; init; }

    /// <summary><c>eos_token</c>; null leaves the variable undefined.</summary>
    public string? EosToken { get; init; }

    /// <summary>What <c>strftime_now()</c> sees; null = <see cref="DateTime.Now"/> (transformers uses the local time).</summary>
    public DateTime? Now { get; init; }

    /// <summary>Extra template variables (e.g. <c>date_string</c>, <c>tools</c>). Values: null, bool, numbers, strings,
    /// <see cref="ChatMessage"/>, dictionaries with string keys, sequences, <c>System.Text.Json</c> elements or nodes.</summary>
    public IReadOnlyDictionary<string, object?>? Extra { get; init; }
}
