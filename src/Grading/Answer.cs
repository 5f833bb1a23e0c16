namespace Pipeline.Grading;

/// <summary>The structure of a final answer, as far as equivalence cares.</summary>
internal abstract record Answer;

/// <summary>One value or expression.</summary>
internal sealed record ScalarAnswer(Expr Expr) : Answer;

internal enum Relation { Equal, Less, LessOrEqual, NotEqual }

/// <summary>
/// Lhs (relation) Rhs, with "&gt;" and "≥" already turned around into "&lt;" and "≤".
/// <see cref="LoneVariable"/> is set for "x = ..." where the left side is just a variable: then only the right side matters.
/// </summary>
internal sealed record RelationAnswer(Relation Op, Expr Lhs, Expr Rhs, string? LoneVariable) : Answer
{
    public Expr Difference => new Binary(BinaryOp.Sub, Lhs, Rhs);
}

/// <summary>Tuples "(1,2)" and intervals "[0,1)": ordered items between delimiters that must match.</summary>
internal sealed record BracketAnswer(char Open, char Close, IReadOnlyList<Answer> Items) : Answer
{
    /// Written as an inequality ("-2 \le x \le 7"), not as the interval itself.
    public bool FromInequality { get; init; }
}

/// <summary>"\{1,2\}", "a, b, c", "1 \pm \sqrt{2}" and unions of intervals: items compared in any order.</summary>
internal sealed record CollectionAnswer(IReadOnlyList<Answer> Items, string Kind) : Answer
{
    /// Written as an inequality ("1 \le |z| \le 2"), not as the union itself.
    public bool FromInequality { get; init; }
}

internal sealed record MatrixAnswer(IReadOnlyList<IReadOnlyList<Answer>> Rows) : Answer;

/// <summary>Anything that is not math: compared by its normalized text, ignoring case.</summary>
internal sealed record TextAnswer(string Text) : Answer;
