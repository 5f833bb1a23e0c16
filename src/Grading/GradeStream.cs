using System.Text.Json;

namespace Pipeline.Grading;

/// <summary>Counts of one <see cref="GradeStream.RunAsync"/> call. Exit code 0 only when <see cref="Errors"/> is 0.</summary>
public sealed record GradeStreamSummary(int Lines, int Equal, int Errors);

/// <summary>
/// The whole job of the <c>pipeline grade</c> verb: JSON lines <c>{"gold": ..., "pred": ...}</c> in, one
/// <c>{"equal": true|false}</c> line out per input line, in order. Both fields go through answer extraction first (last box,
/// "the final answer is", last math, ...), so whole solution texts can be graded as they come. Blank lines are skipped. A line that cannot be read
/// still gets its output line, <c>{"equal": false, "error": "line N: ..."}</c>, so outputs stay aligned with inputs.
/// </summary>
public static class GradeStream
{
    public static async Task<GradeStreamSummary> RunAsync(TextReader input, TextWriter output, CancellationToken cancellationToken, IAnswerGrader? grader = null)
    {
        grader ??= MathAnswerGrader.Instance;
        int lines = 0, equal = 0, errors = 0, lineNumber = 0;
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            lines++;
            var (gold, pred, error) = ReadCase(line, lineNumber);
            if (error is not null)
            {
                errors++;
                await output.WriteLineAsync($"{{\"equal\":false,\"error\":{JsonSerializer.Serialize(error)}}}".AsMemory(), cancellationToken);
                continue;
            }
            // Either side may be a whole solution text, as Math-Verify's parse() takes them: its answer is what counts.
            var same = grader.IsEquivalent(grader.ExtractAnswer(gold!) ?? gold!, grader.ExtractAnswer(pred!) ?? pred!);
            if (same) equal++;
            await output.WriteLineAsync((same ? "{\"equal\":true}" : "{\"equal\":false}").AsMemory(), cancellationToken);
        }
        await output.FlushAsync(cancellationToken);
        return new GradeStreamSummary(lines, equal, errors);
    }

    private static (string? gold, string? pred, string? error) ReadCase(string line, int lineNumber)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, null, $"line {lineNumber}: expected a JSON object");
            var gold = Field(doc.RootElement, "gold", lineNumber, out var goldError);
            if (goldError is not null) return (null, null, goldError);
            var pred = Field(doc.RootElement, "pred", lineNumber, out var predError);
            if (predError is not null) return (null, null, predError);
            return (gold, pred, null);
        }
        catch (JsonException e)
        {
            return (null, null, $"line {lineNumber}: not valid JSON ({e.Message})");
        }
    }

    // Numbers are accepted as their literal text: GSM8K golds are often written as bare JSON numbers.
    private static string? Field(JsonElement obj, string name, int lineNumber, out string? error)
    {
        error = null;
        if (!obj.TryGetProperty(name, out var v)) { error = $"line {lineNumber}: field \"{name}\" is missing"; return null; }
        switch (v.ValueKind)
        {
            case JsonValueKind.String: return v.GetString();
            case JsonValueKind.Number: return v.GetRawText();
            default:
                error = $"line {lineNumber}: field \"{name}\" must be a string or a number, not {v.ValueKind}";
                return null;
        }
    }
}
