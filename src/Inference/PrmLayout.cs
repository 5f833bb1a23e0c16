namespace Pipeline.Inference;

/// <summary>The text a PRM reads for one candidate and, per step, the character where its score is
/// read: the last character of the step's delimiter (value head), of the separator token (two-class
/// head) or of the step tag (token-logits head). Pure; see docs/model-format.md.</summary>
public static class PrmLayout
{
    /// <summary>Math-Shepherd writes "step ки\nstep ки\n": the tag after a space, a newline after it.</summary>
    public static (string Text, int[] MarkerChars) Build(ModelManifest manifest, string problem, IReadOnlyList<string> steps)
    {
        var head = manifest.Prm ?? throw new InvalidOperationException($"{manifest.ManifestPath}: model '{manifest.Name}' has no 'prm' head");
        var (before, marker, after) = head.Head switch
        {
            PrmHeadKind.Value => ("", manifest.StepDelimiter, ""),
            PrmHeadKind.TwoClass => ("", head.SeparatorToken!, ""),
            _ => (" ", head.StepTag!, "\n"),
        };
        var text = new System.Text.StringBuilder(manifest.FormatPrompt(problem));
        var markers = new int[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            text.Append(steps[i]).Append(before).Append(marker);
            markers[i] = text.Length - 1;
            text.Append(after);
        }
        return (text.ToString(), markers);
    }

    /// <summary>Index of the token holding character <paramref name="charIndex"/> of the text.</summary>
    public static int TokenAt(IReadOnlyList<Microsoft.ML.Tokenizers.EncodedToken> tokens, int textLength, int charIndex)
    {
        for (var t = 0; t < tokens.Count; t++)
        {
            var (offset, length) = tokens[t].Offset.GetOffsetAndLength(textLength);
            if (charIndex >= offset && charIndex < offset + length) return t;
        }
        throw new InvalidOperationException($"no token covers character {charIndex} of a {textLength}-character PRM input");
    }
}
