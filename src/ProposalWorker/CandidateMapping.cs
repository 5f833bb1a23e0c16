using Pipeline.Contracts;
using Pipeline.Inference;
using ContractStep = Pipeline.Contracts.GeneratedStep;

namespace Pipeline.ProposalWorker;

/// <summary>Engine samples -> contract candidates. Pure.</summary>
public static class CandidateMapping
{
    /// <summary>The engine counts each step's own tokens but not a trailing EOS; the last step carries the
    /// remainder so the steps of a sample add up to what was really generated (FLOPs accounting reads them).</summary>
    public static IReadOnlyList<ContractStep> Steps(IReadOnlyList<Inference.GeneratedStep> steps, int generatedTokens)
    {
        var list = steps.Select(s => new ContractStep(s.Text, s.Tokens)).ToList();
        var rest = generatedTokens - list.Sum(s => s.GeneratedTokens);
        if (list.Count > 0 && rest > 0) list[^1] = list[^1] with { GeneratedTokens = list[^1].GeneratedTokens + rest };
        return list;
    }

    /// <summary>A lookahead rollout's steps. A rollout that only emitted EOS still cost that token: it comes
    /// back as one empty step, which the verifier does not score (the rollout ends where the step ended).</summary>
    public static IReadOnlyList<ContractStep> Rollout(IReadOnlyList<Inference.GeneratedStep> steps, int generatedTokens, int maxSteps)
    {
        var list = Steps(steps, generatedTokens).Take(maxSteps).ToList();
        return list.Count == 0 && generatedTokens > 0 ? [new ContractStep("", generatedTokens)] : list;
    }

    public static ProposedCandidate Candidate(ExpansionRequest request, GeneratedSample sample, GenerationMode mode, int maxSteps)
    {
        var steps = Steps(sample.Steps, sample.GeneratedTokens);
        var finish = FinishReasonNames.Parse(sample.FinishReason);
        var terminal = sample.Terminal;
        // Solution/revision mode stops at MaxSteps; a step-mode sample is one step, so the depth limit
        // is the search's MaxRounds, not checked here.
        if (mode != GenerationMode.Step && steps.Count > maxSteps)
        {
            steps = steps.Take(maxSteps).ToList();
            finish = FinishReason.MaxSteps;
            terminal = false;
        }
        return new ProposedCandidate(request.Index, sample.SampleIndex, request.ParentNodeId, steps,
            sample.PromptTokens, finish, terminal);
    }
}
