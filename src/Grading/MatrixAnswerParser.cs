using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>Reads \begin{pmatrix}..\end{pmatrix} (also bmatrix, matrix, array with a column spec) into rows of cells.</summary>
internal static partial class MatrixAnswerParser
{
    public static bool TryParse(string s, Func<string, Answer> parseCell, out Answer? matrix)
    {
        matrix = null;
        var m = MatrixPattern().Match(s);
        if (!m.Success) return false;
        var body = m.Groups["body"].Value;
        if (m.Groups["env"].Value == "array") body = ColumnSpecPattern().Replace(body, "", 1);
        var rows = body.Split("\\\\", StringSplitOptions.TrimEntries)
            .Where(r => r.Length > 0)
            .Select(r => (IReadOnlyList<Answer>)r.Split('&').Select(c => parseCell(c.Trim())).ToList())
            .ToList();
        if (rows.Count == 0) return false;
        matrix = new MatrixAnswer(rows);
        return true;
    }

    [GeneratedRegex(@"^[\(\[]?\s*\\begin\{(?<env>[pbvB]?matrix|array)\}(?<body>.*)\\end\{\k<env>\}\s*[\)\]]?$", RegexOptions.Singleline)]
    private static partial Regex MatrixPattern();

    [GeneratedRegex(@"^\s*\{[lcr|\s]*\}")]
    private static partial Regex ColumnSpecPattern();
}
