using System.Globalization;

namespace Pipeline.Grading.Benchmarks;

/// <summary>
/// Gold/prediction pairs of plain numbers as GSM8K-style runs produce them: the same text, the same value written
/// otherwise ("1,234", "1234.0", "$1234", "1234 dollars", "50%"), and a wrong value. Fixed seed: every run grades the same pairs.
/// </summary>
internal static class NumericPairs
{
    public static List<(string Gold, string Pred)> Make(int count, int seed)
    {
        var rng = new Random(seed);
        var pairs = new List<(string, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var integer = rng.Next(0, 2) == 0;
            var value = integer ? rng.Next(0, 100_000) : Math.Round(rng.NextDouble() * 1000, 2);
            var gold = integer ? ((int)value).ToString(CultureInfo.InvariantCulture) : value.ToString("0.00", CultureInfo.InvariantCulture);
            var pred = (i % 8) switch
            {
                0 or 1 => gold,
                2 => value.ToString("#,##0.##", CultureInfo.InvariantCulture),
                3 => value.ToString("0.0#", CultureInfo.InvariantCulture),
                4 => "$" + gold,
                5 => gold + " dollars",
                6 => (value + 1).ToString(CultureInfo.InvariantCulture),
                _ => "\\frac{" + (value * 4).ToString(CultureInfo.InvariantCulture) + "}{4}",
            };
            pairs.Add((gold, pred));
        }
        return pairs;
    }
}
