namespace Pipeline.Producer.Datasets;

/// <summary>Line formats <c>pipeline dataset import</c> reads; the name is what is stored in datasets.format.</summary>
public enum DatasetFormat
{
    /// <summary>MATH / PRM800K split JSONL: problem, solution, answer, subject, level, unique_id.</summary>
    Math,
    /// <summary>GSM8K JSONL: question, answer (worked solution, then "#### final answer").</summary>
    Gsm8k,
}

public static class DatasetFormats
{
    public static string Name(DatasetFormat f) => f == DatasetFormat.Math ? "math" : "gsm8k";

    public static bool TryParse(string? text, out DatasetFormat format)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "math" or "prm800k": format = DatasetFormat.Math; return true;
            case "gsm8k": format = DatasetFormat.Gsm8k; return true;
            default: format = default; return false;
        }
    }
}
