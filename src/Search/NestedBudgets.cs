namespace Pipeline.Search;

/// <summary>Budgets reported from one run of budget N: 1, 2, 4, ... below N, then N itself.</summary>
public static class NestedBudgets
{
    public static IReadOnlyList<int> UpTo(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var list = new List<int>();
        for (var b = 1; b < n; b *= 2) list.Add(b);
        list.Add(n);
        return list;
    }
}
