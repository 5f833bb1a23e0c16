using Pipeline.Contracts;
using Pipeline.Grading;
using Pipeline.Search;
using Pipeline.ServiceDefaults;
using Pipeline.Storage.Entities;
using Pipeline.Storage.Searches;

namespace Pipeline.Aggregator;

/// <summary>A scored round turned into step rows (for COPY) and the matching tree nodes (for the strategy).</summary>
public sealed record StoredRound(IReadOnlyList<Step> Rows, IReadOnlyList<TreeNode> Nodes, int Candidates, long GeneratedTokens);

/// <summary>
/// Assigns node ids and writes one row per new step. Pure. Node ids continue the search's sequence in
/// (request, sample, step) order, so a redone round maps to the very same ids (and rows) as the first try.
/// </summary>
public static class RoundRows
{
    public static StoredRound Build(SearchState search, RoundScored scored, IReadOnlyList<TreeNode> tree, IAnswerGrader grader)
    {
        var request = scored.Request;
        var depthOf = tree.ToDictionary(n => n.NodeId, n => n.Depth);
        var nextId = tree.Count == 0 ? 1 : tree.Max(n => n.NodeId) + 1;
        var rows = new List<Step>();
        var nodes = new List<TreeNode>();
        long generated = 0;

        foreach (var sc in scored.Candidates.OrderBy(c => c.Candidate.RequestIndex).ThenBy(c => c.Candidate.SampleIndex))
        {
            var c = sc.Candidate;
            if (c.RequestIndex < 0 || c.RequestIndex >= request.Requests.Count)
                throw new PermanentMessageException($"RoundScored(search {search.SearchId}, round {request.Round}): candidate RequestIndex {c.RequestIndex} is outside the round's {request.Requests.Count} requests");
            var scores = sc.StepScores ?? throw new PermanentMessageException(
                $"RoundScored(search {search.SearchId}, round {request.Round}): candidate ({c.RequestIndex}, {c.SampleIndex}) has no StepScores");
            if (scores.Count != c.Steps.Count)
                throw new PermanentMessageException($"RoundScored(search {search.SearchId}, round {request.Round}): candidate ({c.RequestIndex}, {c.SampleIndex}) has {c.Steps.Count} steps but {scores.Count} scores");

            // the request is authoritative for the parent: the worker only echoes it
            long? parent = request.Requests[c.RequestIndex].ParentNodeId;
            if (parent is { } p && !depthOf.ContainsKey(p))
                throw new PermanentMessageException($"RoundScored(search {search.SearchId}, round {request.Round}): parent node {p} is not in the stored tree");
            var depth = parent is { } pd ? depthOf[pd] : 0;
            var lookaheadTokens = c.Lookahead?.Sum(s => s.GeneratedTokens) ?? 0;
            generated += c.Steps.Sum(s => (long)s.GeneratedTokens) + lookaheadTokens;
            var answer = c.Terminal && c.Steps.Count > 0 ? ExtractAnswer(grader, c.Steps) : null;
            bool? correct = c.Terminal && c.Steps.Count > 0 ? answer is not null && grader.IsEquivalent(search.GoldAnswer, answer) : null;

            for (var i = 0; i < c.Steps.Count; i++)
            {
                var last = i == c.Steps.Count - 1;
                var id = nextId++;
                depth++;
                var step = c.Steps[i];
                var row = new Step
                {
                    SearchId = search.SearchId, NodeId = id, ParentNodeId = parent, Depth = depth, Round = request.Round,
                    RequestIndex = c.RequestIndex, SampleIndex = c.SampleIndex, StepIndex = i, Text = StorableText(step.Text),
                    PromptTokens = i == 0 ? c.PromptTokens : 0,
                    GeneratedTokens = step.GeneratedTokens,
                    LookaheadTokens = last ? lookaheadTokens : 0,
                    PrmScore = (float)scores[i],
                    LookaheadScore = last && sc.LookaheadScore is { } ls ? (float)ls : null,
                    Terminal = last && c.Terminal,
                    FinishReason = last ? c.FinishReason : null,
                    ExtractedAnswer = last && answer is not null ? StorableText(answer) : null,
                    IsCorrect = last ? correct : null,
                };
                rows.Add(row);
                nodes.Add(ToNode(row));
                depthOf[id] = depth;
                parent = id;
            }
        }
        return new StoredRound(rows, nodes, scored.Candidates.Count, generated);
    }

    /// <summary>The tree node a stored row stands for; lookahead search ranks by the rollout's score.</summary>
    public static TreeNode ToNode(Step r) => new(
        r.NodeId, r.ParentNodeId, r.Depth, r.Round, r.RequestIndex, r.SampleIndex, r.Text,
        r.LookaheadScore ?? r.PrmScore, r.Terminal, r.ExtractedAnswer, r.GeneratedTokens, r.PromptTokens, r.LookaheadTokens);

    /// <summary>PostgreSQL text cannot hold NUL, which an untrained model does emit; U+FFFD keeps the
    /// length and shows where it was.</summary>
    public static string StorableText(string text) => text.Contains('\0') ? text.Replace('\0', '\uFFFD') : text;

    /// <summary>The answer is in the last step ("The answer is \boxed{..}"); the whole sample is the fallback.</summary>
    private static string? ExtractAnswer(IAnswerGrader grader, IReadOnlyList<GeneratedStep> steps) =>
        grader.ExtractAnswer(steps[^1].Text) ?? grader.ExtractAnswer(string.Join("\n\n", steps.Select(s => s.Text)));
}
