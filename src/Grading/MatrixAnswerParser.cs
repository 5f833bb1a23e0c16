using System.Text.RegularExpressions;

namespace Pipeline.Grading;

/// <summary>
/// Reads \begin{pmatrix}..\end{pmatrix} (also bmatrix, matrix, array with a column spec, in optional brackets) into rows of
/// cells, and sums and products of such matrices ("A + B", "A B", "A \cdot B") into their result.
/// </summary>
internal static partial class MatrixAnswerParser
{
    private const int MaxOperands = 4;
    private const int MaxCells = 256;

    public static bool TryParse(string s, Func<string, Answer> parseCell, out Answer? matrix)
    {
        matrix = null;
        var blocks = BlockPattern().Matches(s);
        if (blocks.Count == 0) return false;
        if (blocks.Count == 1)
        {
            if (blocks[0].Index != 0 || blocks[0].Length != s.Length) return false;
            matrix = Read(blocks[0], parseCell);
            return matrix is not null;
        }
        return TryArithmetic(s, blocks, parseCell, out matrix);
    }

    private static MatrixAnswer? Read(Match block, Func<string, Answer> parseCell)
    {
        var body = block.Groups["body"].Value;
        if (block.Groups["env"].Value == "array") body = ColumnSpecPattern().Replace(body, "", 1);
        var rows = body.Split("\\\\", StringSplitOptions.TrimEntries)
            .Where(r => r.Length > 0)
            .Select(r => (IReadOnlyList<Answer>)r.Split('&').Select(c => parseCell(c.Trim())).ToList())
            .ToList();
        return rows.Count == 0 ? null : new MatrixAnswer(rows);
    }

    /// "M1 + M2", "M1 - M2", "M1 M2", "M1 \cdot M2": evaluated left to right; anything else between the blocks refuses.
    private static bool TryArithmetic(string s, MatchCollection blocks, Func<string, Answer> parseCell, out Answer? matrix)
    {
        matrix = null;
        if (blocks.Count > MaxOperands || blocks[0].Index != 0 || blocks[^1].Index + blocks[^1].Length != s.Length) return false;
        var result = Read(blocks[0], parseCell);
        for (var k = 1; k < blocks.Count && result is not null; k++)
        {
            var gap = s[(blocks[k - 1].Index + blocks[k - 1].Length)..blocks[k].Index].Trim();
            var next = Read(blocks[k], parseCell);
            if (next is null) return false;
            result = gap switch
            {
                "+" => Elementwise(result, next, BinaryOp.Add),
                "-" => Elementwise(result, next, BinaryOp.Sub),
                "" or "\\cdot" or "\\times" or "*" => Product(result, next),
                _ => null,
            };
        }
        matrix = result;
        return result is not null;
    }

    private static Expr? Cell(MatrixAnswer m, int i, int j) => m.Rows[i][j] is ScalarAnswer s ? s.Expr : null;

    private static MatrixAnswer? Elementwise(MatrixAnswer a, MatrixAnswer b, BinaryOp op)
    {
        if (a.Rows.Count != b.Rows.Count) return null;
        var rows = new List<IReadOnlyList<Answer>>();
        for (var i = 0; i < a.Rows.Count; i++)
        {
            if (a.Rows[i].Count != b.Rows[i].Count) return null;
            var row = new List<Answer>();
            for (var j = 0; j < a.Rows[i].Count; j++)
            {
                if (Cell(a, i, j) is not { } x || Cell(b, i, j) is not { } y) return null;
                row.Add(new ScalarAnswer(new Binary(op, x, y)));
            }
            rows.Add(row);
        }
        return new MatrixAnswer(rows);
    }

    private static MatrixAnswer? Product(MatrixAnswer a, MatrixAnswer b)
    {
        var n = a.Rows.Count;
        var inner = a.Rows[0].Count;
        var m = b.Rows[0].Count;
        if (a.Rows.Any(r => r.Count != inner) || b.Rows.Count != inner || b.Rows.Any(r => r.Count != m) || n * m > MaxCells) return null;
        var rows = new List<IReadOnlyList<Answer>>();
        for (var i = 0; i < n; i++)
        {
            var row = new List<Answer>();
            for (var j = 0; j < m; j++)
            {
                Expr? sum = null;
                for (var k = 0; k < inner; k++)
                {
                    if (Cell(a, i, k) is not { } x || Cell(b, k, j) is not { } y) return null;
                    var term = new Binary(BinaryOp.Mul, x, y);
                    sum = sum is null ? term : new Binary(BinaryOp.Add, sum, term);
                }
                row.Add(new ScalarAnswer(sum!));
            }
            rows.Add(row);
        }
        return new MatrixAnswer(rows);
    }

    [GeneratedRegex(@"[\(\[]?\s*\\begin\{(?<env>[pbvB]?matrix|array)\}(?<body>.*?)\\end\{\k<env>\}\s*[\)\]]?", RegexOptions.Singleline)]
    private static partial Regex BlockPattern();

    [GeneratedRegex(@"^\s*\{[lcr|\s]*\}")]
    private static partial Regex ColumnSpecPattern();
}
