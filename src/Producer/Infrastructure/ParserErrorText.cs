using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Pipeline.Producer.Infrastructure;

/// <summary>The parsers put their own positions into their messages: System.Text.Json ends with a zero-based
/// "LineNumber: 0 | BytePositionInLine: 12.", YamlDotNet starts with "(Line: 3, Col: 1, Idx: 20) - (...): ".
/// Next to our file:line:column they read as a second, different place: keep the words only.</summary>
public static partial class ParserErrorText
{
    public static string Describe(JsonException e) => JsonPosition().Replace(e.Message, "").Trim();

    public static string Describe(YamlException e) => YamlPosition().Replace(e.Message, "").Trim();

    [GeneratedRegex(@"\s*(Path: \S+ \| )?LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex JsonPosition();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex YamlPosition();
}
