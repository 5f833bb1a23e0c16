using System.Text;

namespace Pipeline.Inference;

/// <summary>Follows one sample token by token and decides when it stops: EOS (any stop token), the step delimiter
/// (Step mode), the step limit (Solution mode) or the token limit. Pure logic, no model.</summary>
internal sealed class SampleTracker(GenerationRequest request, string delimiter, IReadOnlySet<int> stopIds, int positionsLeft)
{
    private readonly StringBuilder _text = new();
    private readonly List<int> _stepEnds = [];   // token count at the end of each completed step
    private int _stepStartChar;

    public List<int> Ids { get; } = [];
    public string? FinishReason { get; private set; }
    public bool Done => FinishReason is not null;
    public IReadOnlyList<int> StepEnds => _stepEnds;

    /// <summary>Adds a sampled token (with its text piece); returns true when the sample is finished.</summary>
    public bool Append(int id, string piece)
    {
        Ids.Add(id);
        if (request.IgnoreStops)
            return Finish(Ids.Count >= Math.Min(request.MaxNewTokens, positionsLeft) ? FinishReasons.Length : null);
        if (stopIds.Contains(id)) return Finish(FinishReasons.Eos);
        var searchFrom = Math.Max(_stepStartChar, _text.Length - delimiter.Length + 1);
        _text.Append(piece);
        var at = IndexOf(_text, delimiter, searchFrom);
        if (at >= 0)
        {
            _stepEnds.Add(Ids.Count);
            _stepStartChar = at + delimiter.Length;
            if (request.Mode == StopMode.Step) return Finish(FinishReasons.Delimiter);
            if (_stepEnds.Count >= request.MaxSteps) return Finish(FinishReasons.MaxSteps);
        }
        return Finish(Ids.Count >= Math.Min(request.MaxNewTokens, positionsLeft) ? FinishReasons.Length : null);
    }

    /// <summary>The finished sample: text from one decode of all its tokens (exact for multi-byte
    /// characters), cut into steps where the tracker saw the delimiters.</summary>
    public GeneratedSample Result(int sampleIndex, int promptTokens, TextTokenizer tokenizer, string answerMarker)
    {
        var content = FinishReason == FinishReasons.Eos ? Ids.Take(Ids.Count - 1) : Ids;
        var text = tokenizer.Decode(content);
        var parts = text.Split(delimiter);
        var steps = new List<GeneratedStep>();
        var prevEnd = 0;
        for (var i = 0; i < _stepEnds.Count && i < parts.Length; i++)
        {
            steps.Add(new GeneratedStep(parts[i], _stepEnds[i] - prevEnd));
            prevEnd = _stepEnds[i];
        }
        if (!request.IgnoreStops && _stepEnds.Count < parts.Length)
        {
            var tail = string.Join(delimiter, parts.Skip(_stepEnds.Count));
            var tailTokens = content.Count() - prevEnd;
            if (tail.Length > 0 || tailTokens > 0) steps.Add(new GeneratedStep(tail, tailTokens));
        }
        var terminal = FinishReason == FinishReasons.Eos
                       || (FinishReason is FinishReasons.Delimiter or FinishReasons.MaxSteps
                           && steps.Count > 0 && steps[^1].Text.Contains(answerMarker, StringComparison.Ordinal));
        return new GeneratedSample(sampleIndex, steps, text, promptTokens, Ids.Count, FinishReason!, terminal, Ids);
    }

    private bool Finish(string? reason)
    {
        FinishReason ??= reason;
        return FinishReason is not null;
    }

    private static int IndexOf(StringBuilder sb, string value, int from)
    {
        for (var i = Math.Max(0, from); i + value.Length <= sb.Length; i++)
        {
            var j = 0;
            while (j < value.Length && sb[i + j] == value[j]) j++;
            if (j == value.Length) return i;
        }
        return -1;
    }
}
