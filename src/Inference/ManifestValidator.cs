using System.Text.RegularExpressions;

namespace Pipeline.Inference;

// Checks a parsed manifest field by field; every error names the manifest, the line of the field
// (found in the raw text, since System.Text.Json keeps no positions after parsing) and the field.
internal sealed class ManifestValidator(string file, string text)
{
    private readonly string _dir = Path.GetDirectoryName(file)!;

    public ModelManifest Validate(ManifestJson m)
    {
        var role = Required(m.Role, "role") switch
        {
            "policy" => ModelRole.Policy,
            "prm" => ModelRole.Prm,
            "revision" => ModelRole.Revision,
            var other => throw Error("role", $"'{other}' is not one of policy, prm, revision"),
        };
        var manifest = new ModelManifest
        {
            ManifestPath = file,
            Name = Required(m.Name, "name"),
            Role = role,
            OnnxPath = ExistingFile(m.Onnx, "onnx"),
            Tokenizer = Tokenizer(m.Tokenizer),
            BosToken = Required(m.BosToken, "bos_token"),
            EosToken = Required(m.EosToken, "eos_token"),
            PadToken = m.PadToken ?? Required(m.EosToken, "eos_token"),
            AddBos = m.AddBos ?? false,
            PromptTemplate = Template(m.PromptTemplate, "prompt_template", "{problem}"),
            StepDelimiter = Required(m.StepDelimiter, "step_delimiter"),
            NumLayers = Positive(m.NumLayers, "num_layers"),
            NumHeads = Positive(m.NumHeads, "num_heads"),
            NumKvHeads = Positive(m.NumKvHeads ?? m.NumHeads, "num_kv_heads"),
            HeadSize = Positive(m.HeadSize, "head_size"),
            HiddenSize = Positive(m.HiddenSize, "hidden_size"),
            VocabSize = Positive(m.VocabSize, "vocab_size"),
            MaxPositions = Positive(m.MaxPositions, "max_positions"),
            ParameterCount = m.ParameterCount is > 0 ? m.ParameterCount.Value : throw Error("parameter_count", "must be a positive integer"),
            Dtype = (m.Dtype ?? "float32") is "float32" or "float16" ? m.Dtype ?? "float32" : throw Error("dtype", $"'{m.Dtype}' is not supported (float32 or float16)"),
            LastLogitsOnly = (m.Logits ?? "all") switch
            {
                "all" => false,
                "last" => true,
                var other => throw Error("logits", $"'{other}' is not one of all, last"),
            },
            SharedKvCache = (m.KvCache ?? "concat") switch
            {
                "concat" or "prefix" => false,
                "shared" => true,
                var other => throw Error("kv_cache", $"'{other}' is not one of concat, shared, prefix"),
            },
            PrmPrefixCache = m.KvCache == "prefix",
            Prm = m.Prm is null ? null : Prm(m.Prm),
            Revision = m.Revision is null ? null : Revision(m.Revision),
            StopTokens = StopTokens(m.StopTokens),
            ChatTemplatePath = m.ChatTemplate is null ? null : ExistingFile(m.ChatTemplate, "chat_template"),
            SystemPrompt = m.SystemPrompt,
            Source = m.Source is null ? null : new ModelSource(m.Source.Architecture, m.Source.Checkpoint, m.Source.ConfigSha256, m.Source.TorchDtype),
            PretrainingTokens = m.PretrainingTokens is null or > 0 ? m.PretrainingTokens
                : throw Error("pretraining_tokens", $"must be a positive integer or null, got {m.PretrainingTokens}"),
        };
        if (manifest.Prm?.Input is PrmInputKind.Chat or PrmInputKind.ChatTurns && manifest.ChatTemplatePath is null)
            throw Error("prm.input", $"'{InputName(manifest.Prm.Input.Value)}' renders the chat template, but the manifest has no 'chat_template'");
        if (role == ModelRole.Prm && manifest.Prm is null)
            throw Error("prm", "a model with role 'prm' needs a 'prm' object (head, output)");
        if (manifest.SharedKvCache && role == ModelRole.Prm)
            throw Error("kv_cache", "'shared' is a decoder layout; a PRM's cache layout is 'prefix' (or leave kv_cache out)");
        if (manifest.PrmPrefixCache && role != ModelRole.Prm)
            throw Error("kv_cache", "'prefix' is a PRM layout; a decoder's is 'concat' or 'shared'");
        if (role == ModelRole.Revision && manifest.Revision is null)
            throw Error("revision", "a model with role 'revision' needs a 'revision' object");
        return manifest;
    }

    private TokenizerSpec Tokenizer(TokenizerJson? t)
    {
        if (t is null) throw Error("tokenizer", "missing (an object with kind, vocab, merges)");
        var kind = Required(t.Kind, "tokenizer.kind");
        return kind switch
        {
            "gpt2-bpe" or "qwen2-bpe" => new TokenizerSpec(kind, ExistingFile(t.Vocab, "tokenizer.vocab"), ExistingFile(t.Merges, "tokenizer.merges"), null),
            "hf-json" => new TokenizerSpec(kind, null, null, ExistingFile(t.File, "tokenizer.file")),
            _ => throw Error("tokenizer.kind", $"'{kind}' is not one of gpt2-bpe, qwen2-bpe, hf-json"),
        };
    }

    private static readonly string[] PrmFormats = ["qwen-prm", "math-shepherd", "skywork", "rlhflow"];

    private PrmHeadSpec Prm(PrmJson p)
    {
        var output = Required(p.Output, "prm.output");
        var format = p.Format is null || PrmFormats.Contains(p.Format) ? p.Format
            : throw Error("prm.format", $"'{p.Format}' is not one of {string.Join(", ", PrmFormats)}");
        PrmInputKind? input = p.Input switch
        {
            null => null,
            "chat" => PrmInputKind.Chat,
            "plain" => PrmInputKind.Plain,
            "per_step" => PrmInputKind.PerStep,
            "chat_turns" => PrmInputKind.ChatTurns,
            var other => throw Error("prm.input", $"'{other}' is not one of chat, plain, per_step, chat_turns"),
        };
        if (p.LabelIndex is not null and not (0 or 1))
            throw Error("prm.label_index", $"must be 0 or 1 (a class of a two-wide output), got {p.LabelIndex}");
        if (p.LabelTokenIds is { } ids && (ids.Count != 2 || ids.Any(i => i < 0)))
            throw Error("prm.label_token_ids", $"must be two token ids [good, bad], got [{string.Join(", ", ids)}]");
        var head = Required(p.Head, "prm.head") switch
        {
            "value" => new PrmHeadSpec(PrmHeadKind.Value, output),
            "two_class" => new PrmHeadSpec(PrmHeadKind.TwoClass, output, SeparatorToken: Required(p.SeparatorToken, "prm.separator_token")),
            // An imported token-logits PRM carries its label ids; the tokens then only document them.
            "token_logits" => new PrmHeadSpec(PrmHeadKind.TokenLogits, output,
                StepTag: input is null or PrmInputKind.Plain ? Required(p.StepTag, "prm.step_tag") : p.StepTag,
                GoodToken: p.LabelTokenIds is null ? Required(p.GoodToken, "prm.good_token") : p.GoodToken,
                BadToken: p.LabelTokenIds is null ? Required(p.BadToken, "prm.bad_token") : p.BadToken),
            var other => throw Error("prm.head", $"'{other}' is not one of value, two_class, token_logits"),
        };
        if (input == PrmInputKind.PerStep) Required(p.StepToken, "prm.step_token");
        if (input == PrmInputKind.Chat && head.Head != PrmHeadKind.TwoClass)
            throw Error("prm.input", "'chat' reads scores at the separator token: it needs head 'two_class' with a separator_token");
        return head with { Format = format, LabelIndex = p.LabelIndex, Input = input, LabelTokenIds = p.LabelTokenIds, StepToken = p.StepToken };
    }

    internal static string InputName(PrmInputKind kind) => kind switch
    {
        PrmInputKind.Chat => "chat",
        PrmInputKind.Plain => "plain",
        PrmInputKind.PerStep => "per_step",
        _ => "chat_turns",
    };

    private IReadOnlyList<string> StopTokens(List<string>? tokens)
    {
        if (tokens is null) return [];
        for (var i = 0; i < tokens.Count; i++)
            if (string.IsNullOrEmpty(tokens[i])) throw Error("stop_tokens", $"entry {i} is missing or empty");
        return tokens;
    }

    private RevisionFormat Revision(RevisionJson r) => new(
        Positive(r.MaxAttempts, "revision.max_attempts"),
        Template(r.AttemptTemplate, "revision.attempt_template", "{attempt}"),
        r.AttemptStepJoiner ?? throw Error("revision.attempt_step_joiner", "missing"),
        r.RevisionPrefix ?? throw Error("revision.revision_prefix", "missing"));

    private string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw Error(field, "missing or empty") : value;

    private string Template(string? value, string field, string placeholder)
    {
        var t = Required(value, field);
        return t.Contains(placeholder, StringComparison.Ordinal) ? t : throw Error(field, $"must contain {placeholder}");
    }

    private int Positive(int? value, string field) =>
        value is > 0 ? value.Value : throw Error(field, value is null ? "missing" : $"must be positive, got {value}");

    private string ExistingFile(string? relative, string field)
    {
        var path = Path.GetFullPath(Path.Combine(_dir, Required(relative, field)));
        return File.Exists(path) ? path : throw Error(field, $"{path}: file not found");
    }

    private ModelFormatException Error(string field, string message) =>
        new(file, $"line {LineOf(field)}: field '{field}': {message}");

    // Line of the field's key in the raw JSON (its last path segment); 1 when the key is absent.
    private int LineOf(string field)
    {
        var key = field[(field.LastIndexOf('.') + 1)..];
        var match = Regex.Match(text, "\"" + Regex.Escape(key) + "\"\\s*:");
        if (!match.Success) return 1;
        var line = 1;
        for (var i = 0; i < match.Index; i++)
            if (text[i] == '\n') line++;
        return line;
    }
}
