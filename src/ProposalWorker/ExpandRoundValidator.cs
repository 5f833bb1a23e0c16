using Pipeline.Contracts;

namespace Pipeline.ProposalWorker;

/// <summary>Checks that decide whether an <see cref="ExpandRound"/> can ever succeed here. Pure, so the
/// rules are tested without a bus; a failure names the message and field.</summary>
public static class ExpandRoundValidator
{
    /// <returns>null when valid, else what is wrong.</returns>
    public static string? Validate(ExpandRound? round, IReadOnlySet<string> servedModels)
    {
        if (round is null) return "ExpandRound: empty message body";
        var where = $"ExpandRound(search {round.SearchId}, round {round.Round})";
        if (string.IsNullOrEmpty(round.PolicyModel)) return $"{where}: field PolicyModel is empty";
        if (!servedModels.Contains(round.PolicyModel))
            return $"{where}: field PolicyModel '{round.PolicyModel}' is not served here (serving: {string.Join(", ", servedModels.Order())})";
        if (round.Round < 0) return $"{where}: field Round must be >= 0";
        if (string.IsNullOrEmpty(round.Problem)) return $"{where}: field Problem is empty";
        if (!Enum.IsDefined(round.Mode)) return $"{where}: field Mode has unknown value {(int)round.Mode}";
        if (round.Sampling is null) return $"{where}: field Sampling is missing";
        if (round.Sampling.MaxNewTokens <= 0) return $"{where}: field Sampling.MaxNewTokens must be > 0";
        if (round.Sampling.MaxSteps <= 0) return $"{where}: field Sampling.MaxSteps must be > 0";
        if (round.Sampling.Temperature < 0) return $"{where}: field Sampling.Temperature must be >= 0";
        if (round.Sampling.TopP is <= 0 or > 1) return $"{where}: field Sampling.TopP must be in (0, 1]";
        if (round.LookaheadSteps < 0) return $"{where}: field LookaheadSteps must be >= 0";
        if (round.Requests is null || round.Requests.Count == 0) return $"{where}: field Requests is empty";
        for (var i = 0; i < round.Requests.Count; i++)
        {
            var r = round.Requests[i];
            if (r is null) return $"{where}: Requests[{i}] is null";
            if (r.Index != i) return $"{where}: Requests[{i}].Index is {r.Index}, expected {i}";
            if (r.Count <= 0) return $"{where}: Requests[{i}].Count must be > 0";
            if (r.PrefixSteps is null) return $"{where}: Requests[{i}].PrefixSteps is missing";
            if (round.Mode == GenerationMode.Revision && (r.PreviousAttempts is null || r.PreviousAttempts.Count == 0))
                return $"{where}: Requests[{i}].PreviousAttempts is empty; a revision needs at least one earlier attempt";
            if (r.ParentNodeId is null != (r.PrefixSteps.Count == 0) && round.Mode != GenerationMode.Revision)
                return $"{where}: Requests[{i}].PrefixSteps must be empty exactly when ParentNodeId is null";
        }
        return null;
    }
}
