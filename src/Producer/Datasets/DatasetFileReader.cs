using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Producer.Infrastructure;
using Pipeline.Storage;

namespace Pipeline.Producer.Datasets;

/// <summary>
/// Parses a whole dataset file before anything is written: every bad line is reported as file:line with
/// the field at fault, and one bad line means nothing of the file is imported. Pure: no database.
/// </summary>
public static class DatasetFileReader
{
    /// <summary>Stop collecting after this many errors: a wrong --format would otherwise list every line.</summary>
    public const int MaxErrors = 20;

    /// <summary>MATH difficulty levels.</summary>
    public const int MinLevel = 1, MaxLevel = 5;

    /// <summary>Reads a file's bytes: each line must be valid UTF-8 (a UTF-8 BOM is allowed).</summary>
    public static IReadOnlyList<ProblemRow> Read(Stream stream, string file, DatasetFormat format) =>
        Read(Utf8Lines.Read(stream, file), file, format);

    /// <summary>Reads text that is already decoded.</summary>
    public static IReadOnlyList<ProblemRow> Read(TextReader reader, string file, DatasetFormat format) =>
        Read(Lines(reader), file, format);

    private static IEnumerable<TextLine> Lines(TextReader reader)
    {
        var number = 0;
        while (reader.ReadLine() is { } line) yield return new TextLine(++number, line, null);
    }

    private static IReadOnlyList<ProblemRow> Read(IEnumerable<TextLine> lines, string file, DatasetFormat format)
    {
        var rows = new List<ProblemRow>();
        var errors = new List<InputError>();
        var seenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (lineNo, line, decodeError) in lines)
        {
            if (decodeError is not null)
            {
                errors.Add(decodeError);
                if (errors.Count >= MaxErrors) break;
                continue;
            }
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = new LineFields(file, lineNo);
            try
            {
                using var doc = ParseLine(line, fields);
                var row = format == DatasetFormat.Math
                    ? ReadMath(doc.RootElement, fields, rows.Count)
                    : ReadGsm8k(doc.RootElement, fields, rows.Count);
                if (seenIds.TryGetValue(row.UniqueId, out var firstLine))
                    throw fields.Error("unique_id", $"'{row.UniqueId}' was already used on line {firstLine}");
                seenIds[row.UniqueId] = lineNo;
                rows.Add(row);
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
                if (errors.Count >= MaxErrors) break;
            }
        }
        if (errors.Count >= MaxErrors)
            errors.Add(new InputError(file, 0, null, $"stopped after {MaxErrors} errors; nothing was imported"));
        else if (errors.Count > 0)
            errors.Add(new InputError(file, 0, null, $"{errors.Count} bad line(s); nothing was imported"));
        if (errors.Count > 0) throw new InputException(errors);
        if (rows.Count == 0) throw new InputException(new InputError(file, 0, null, "no problems in the file (it is empty or only blank lines)"));
        return rows;
    }

    private static JsonDocument ParseLine(string line, LineFields fields)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException e)
        {
            // the reader counts bytes of UTF-8 from 0; the column is the character, from 1
            var column = e.BytePositionInLine is { } b ? CharColumn(line, (int)b) : 0;
            throw new InputException(new InputError(fields.File, fields.Line, null, $"not valid JSON ({ParserErrorText.Describe(e)})", column));
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new InputException(new InputError(fields.File, fields.Line, null, "each line must be one JSON object"));
        }
        return doc;
    }

    private static int CharColumn(string line, int bytePosition)
    {
        var utf8 = Encoding.UTF8.GetBytes(line);
        return Encoding.UTF8.GetCharCount(utf8, 0, Math.Min(bytePosition, utf8.Length)) + 1;
    }

    private static ProblemRow ReadMath(JsonElement o, LineFields f, int ordinal)
    {
        if (!o.TryGetProperty("problem", out _) && o.TryGetProperty("question", out _))
            throw f.Error("problem", "missing, but the line has 'question': is this a GSM8K file? (use --format gsm8k)");
        return ReadMathFields(o, f, ordinal);
    }

    private static ProblemRow ReadMathFields(JsonElement o, LineFields f, int ordinal) => new(
        ordinal,
        f.OptionalString(o, "unique_id") ?? $"line-{f.Line}",
        f.RequiredString(o, "problem"),
        f.OptionalString(o, "solution"),
        f.RequiredAnswer(o, "answer"),
        f.OptionalString(o, "subject"),
        f.OptionalLevel(o, "level"));

    private static ProblemRow ReadGsm8k(JsonElement o, LineFields f, int ordinal)
    {
        if (!o.TryGetProperty("question", out _) && o.TryGetProperty("problem", out _))
            throw f.Error("question", "missing, but the line has 'problem': is this a MATH file? (use --format math)");
        var question = f.RequiredString(o, "question");
        var answer = f.RequiredString(o, "answer");
        var mark = answer.LastIndexOf("####", StringComparison.Ordinal);
        if (mark < 0) throw f.Error("answer", "has no '####' before the final answer");
        var final = answer[(mark + 4)..].Trim();
        if (final.Length == 0) throw f.Error("answer", "the final answer after '####' is empty");
        var worked = answer[..mark].TrimEnd();
        return new ProblemRow(ordinal, $"line-{f.Line}", question, worked.Length == 0 ? null : worked, final, null, null);
    }

    /// <summary>Typed field access that reports file, line and field.</summary>
    private sealed class LineFields(string file, int line)
    {
        public string File { get; } = file;
        public int Line { get; } = line;

        public InputException Error(string field, string message) => new(new InputError(File, Line, field, message));

        public string RequiredString(JsonElement o, string name)
        {
            if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) throw Error(name, "missing");
            if (v.ValueKind != JsonValueKind.String) throw Error(name, $"expected a string, got {Kind(v)}");
            var s = v.GetString()!;
            return s.Trim().Length > 0 ? s : throw Error(name, "is empty");
        }

        /// <summary>Answers are strings in MATH; a bare JSON number is taken as its literal text.</summary>
        public string RequiredAnswer(JsonElement o, string name)
        {
            if (o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number) return v.GetRawText();
            return RequiredString(o, name);
        }

        public string? OptionalString(JsonElement o, string name)
        {
            if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.String) throw Error(name, $"expected a string, got {Kind(v)}");
            return v.GetString();
        }

        /// <summary>PRM800K writes 3; the original MATH files write "Level 3" (and "Level ?" when unknown).
        /// MATH has levels 1-5 and every view bins by them, so anything else is refused.</summary>
        public int? OptionalLevel(JsonElement o, string name)
        {
            if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.Number)
                return v.TryGetInt32(out var n) && n is >= MinLevel and <= MaxLevel ? n
                    : throw Error(name, $"expected a level from {MinLevel} to {MaxLevel}, got {v.GetRawText()}");
            if (v.ValueKind == JsonValueKind.String)
            {
                var s = v.GetString()!.Trim();
                if (s.StartsWith("Level", StringComparison.OrdinalIgnoreCase)) s = s[5..].Trim();
                if (s == "?") return null;
                if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= MinLevel and <= MaxLevel) return n;
                throw Error(name, $"expected a level from {MinLevel} to {MaxLevel} (a number or \"Level N\"), got \"{v.GetString()}\"");
            }
            throw Error(name, $"expected a level from {MinLevel} to {MaxLevel}, got {Kind(v)}");
        }

        private static string Kind(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => v.ValueKind.ToString(),
        };
    }
}
