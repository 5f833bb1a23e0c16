using Pipeline.Inference.Templates;

namespace Pipeline.Inference;

/// <summary>A PRM's input for one candidate: token ids and, per step, the position whose output is its score.</summary>
public sealed record PrmTokens(int[] Ids, int[] Markers);

/// <summary>The input recipes of imported PRMs (manifest <c>prm.input</c>), each as its model card's
/// reference code builds it (docs/models.md "PRM input recipes"). Markers are found by token id or by
/// construction, never by character offsets, so they are exact whatever the tokenizer merges.</summary>
public static class PrmAdapters
{
    public static PrmTokens Build(ModelManifest manifest, TextTokenizer tokenizer, string problem, IReadOnlyList<string> steps)
    {
        var head = manifest.Prm ?? throw new InvalidOperationException($"{manifest.ManifestPath}: model '{manifest.Name}' has no 'prm' head");
        return head.Input switch
        {
            PrmInputKind.Chat => Chat(manifest, tokenizer, head, problem, steps),
            PrmInputKind.Plain => Plain(tokenizer, head, problem, steps),
            PrmInputKind.PerStep => PerStep(manifest, tokenizer, head, problem, steps),
            PrmInputKind.ChatTurns => ChatTurns(manifest, tokenizer, problem, steps),
            _ => throw new InvalidOperationException($"{manifest.ManifestPath}: model '{manifest.Name}' has no 'prm.input' recipe"),
        };
    }

    /// <summary>Qwen2.5-Math-PRM: [system, user problem, assistant steps each followed by the separator],
    /// no generation prompt, no special tokens added; a score at every separator token.</summary>
    public static PrmTokens Chat(ModelManifest manifest, TextTokenizer tokenizer, PrmHeadSpec head, string problem, IReadOnlyList<string> steps)
    {
        var sep = head.SeparatorToken!;
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(manifest.SystemPrompt)) messages.Add(new ChatMessage("system", manifest.SystemPrompt));
        messages.Add(new ChatMessage("user", problem));
        messages.Add(new ChatMessage("assistant", string.Join(sep, steps) + sep));
        var ids = tokenizer.Encode(ChatPrompts.Render(manifest, messages, addGenerationPrompt: false));
        var sepId = tokenizer.TokenId(sep, manifest.ManifestPath, "prm.separator_token");
        return new PrmTokens(ids, Positions(ids, sepId, steps.Count, "prm.separator_token", sep));
    }

    /// <summary>Math-Shepherd: <c>problem + " " + "\n".join(step + " ки")</c>, tokenized as <c>tokenizer.encode</c>
    /// (BOS added); a score wherever the id is <c>encode(step_tag)[-1]</c>.</summary>
    public static PrmTokens Plain(TextTokenizer tokenizer, PrmHeadSpec head, string problem, IReadOnlyList<string> steps)
    {
        var tag = head.StepTag!;
        var text = problem + " " + string.Join("\n", steps.Select(s => s + " " + tag));
        var ids = tokenizer.EncodeWithSpecialTokens(text);
        var tagId = tokenizer.EncodeWithSpecialTokens(tag)[^1];
        return new PrmTokens(ids, Positions(ids, tagId, steps.Count, "prm.step_tag", tag));
    }

    /// <summary>Skywork: <c>encode(bos_token + problem + "\n")</c>, then per step <c>encode(step)</c> (nothing for an
    /// empty step) and the last id of <c>encode(step_token)</c>, where its score is read.</summary>
    public static PrmTokens PerStep(ModelManifest manifest, TextTokenizer tokenizer, PrmHeadSpec head, string problem, IReadOnlyList<string> steps)
    {
        var ids = new List<int>(tokenizer.EncodeWithSpecialTokens(manifest.BosToken + problem + "\n"));
        var stepTokenId = tokenizer.EncodeWithSpecialTokens(head.StepToken!)[^1];
        var markers = new int[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Length > 0) ids.AddRange(tokenizer.EncodeWithSpecialTokens(steps[i]));
            ids.Add(stepTokenId);
            markers[i] = ids.Count - 1;
        }
        return new PrmTokens([.. ids], markers);
    }

    /// <summary>RLHFlow: user(problem + " " + step 1), assistant("+"), user(step 2), assistant("+"), ... through
    /// the chat template (no generation prompt, no special tokens added). Step k's score is the reference's
    /// <c>logits[:, -3]</c> of the conversation that ends with step k: that conversation is tokenized too, and
    /// must be a prefix of the whole one (it always is when turns end in special tokens).</summary>
    public static PrmTokens ChatTurns(ModelManifest manifest, TextTokenizer tokenizer, string problem, IReadOnlyList<string> steps)
    {
        var messages = new List<ChatMessage>();
        var markers = new int[steps.Count];
        int[] ids = [];
        for (var k = 0; k < steps.Count; k++)
        {
            messages.Add(new ChatMessage("user", k == 0 ? problem + " " + steps[0] : steps[k]));
            messages.Add(new ChatMessage("assistant", "+"));
            var prefix = tokenizer.Encode(ChatPrompts.Render(manifest, messages, addGenerationPrompt: false));
            if (prefix.Length < 3 || (k > 0 && !prefix.AsSpan(0, markers[k - 1] + 3).SequenceEqual(ids.AsSpan(0, markers[k - 1] + 3))))
                throw new InvalidOperationException($"{manifest.ManifestPath}: the conversation up to step {k + 1} does not tokenize as a prefix of the longer one; 'chat_turns' cannot read every step from one pass");
            markers[k] = prefix.Length - 3;
            ids = prefix;
        }
        return new PrmTokens(ids, markers);
    }

    private static int[] Positions(int[] ids, int id, int expected, string field, string token)
    {
        var found = new List<int>();
        for (var i = 0; i < ids.Length; i++)
            if (ids[i] == id) found.Add(i);
        if (found.Count != expected)
            throw new ArgumentException($"PRM input has {found.Count} '{token}' tokens ({field}, id {id}) for {expected} steps: a step or the problem contains the marker itself");
        return [.. found];
    }
}

/// <summary>The good/bad label token ids of the token-logits PRM formats, as each model card's code computes
/// them with the model's tokenizer (<c>tokenizer.encode</c>, special tokens added).</summary>
public static class PrmLabelTokens
{
    /// <summary>math-shepherd: <c>encode("+ -")[1:]</c>; rlhflow: <c>[encode("+")[-1], encode("-")[-1]]</c>;
    /// null for formats whose head reads no label tokens.</summary>
    public static int[]? For(string format, TextTokenizer tokenizer) => format switch
    {
        "math-shepherd" => tokenizer.EncodeWithSpecialTokens("+ -")[1..] is { Length: 2 } ids ? ids
            : throw new InvalidOperationException($"math-shepherd: encode(\"+ -\")[1:] is not two tokens ([{string.Join(", ", tokenizer.EncodeWithSpecialTokens("+ -"))}])"),
        "rlhflow" => [tokenizer.EncodeWithSpecialTokens("+")[^1], tokenizer.EncodeWithSpecialTokens("-")[^1]],
        _ => null,
    };
}
