using Pipeline.Contracts;

namespace Pipeline.VerifierWorker;

/// <summary>Checks that decide whether a <see cref="ScoreRound"/> can ever be scored here. Pure.</summary>
public static class ScoreRoundValidator
{
    /// <returns>null when valid, else what is wrong (message and field).</returns>
    public static string? Validate(ScoreRound? message, string servedModel)
    {
        if (message?.Request is null) return "ScoreRound: field Request is missing";
        var r = message.Request;
        var where = $"ScoreRound(search {r.SearchId}, round {r.Round})";
        if (r.VerifierModel != servedModel)
            return $"{where}: field Request.VerifierModel '{r.VerifierModel}' is not served here (serving: {servedModel})";
        if (string.IsNullOrEmpty(r.Problem)) return $"{where}: field Request.Problem is empty";
        if (r.Requests is null || r.Requests.Count == 0) return $"{where}: field Request.Requests is empty";
        if (message.Candidates is null || message.Candidates.Count == 0) return $"{where}: field Candidates is empty";
        for (var i = 0; i < message.Candidates.Count; i++)
        {
            var c = message.Candidates[i];
            if (c is null) return $"{where}: Candidates[{i}] is null";
            if (c.RequestIndex < 0 || c.RequestIndex >= r.Requests.Count)
                return $"{where}: Candidates[{i}].RequestIndex {c.RequestIndex} is outside Request.Requests (0..{r.Requests.Count - 1})";
            if (r.Requests[c.RequestIndex]?.PrefixSteps is null)
                return $"{where}: Request.Requests[{c.RequestIndex}].PrefixSteps is missing";
            // an empty Steps list is legal: the model ended at once (EOS), there is nothing to score
            if (c.Steps is null) return $"{where}: Candidates[{i}].Steps is missing";
        }
        return null;
    }
}
