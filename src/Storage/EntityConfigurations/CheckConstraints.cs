namespace Pipeline.Storage.EntityConfigurations;

internal static class CheckConstraints
{
    /// <summary>SQL that keeps <paramref name="column"/> to the names of one shared list (strategy kinds,
    /// aggregators, statuses), so the constraint can never disagree with the code that writes the column.</summary>
    public static string In(string column, IEnumerable<string> names) =>
        $"{column} IN ({string.Join(", ", names.Select(n => $"'{n}'"))})";
}
