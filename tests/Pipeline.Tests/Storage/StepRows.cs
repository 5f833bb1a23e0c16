using Pipeline.Contracts;
using Pipeline.Storage.Entities;

namespace Pipeline.Tests.Storage;

/// <summary>A <see cref="Step"/> row in one line, columns in table order.</summary>
internal static class StepRows
{
    public static Step Of(long SearchId, long NodeId, long? ParentNodeId, int Depth, int Round, int RequestIndex, int SampleIndex,
        int StepIndex, string Text, int PromptTokens, int GeneratedTokens, int LookaheadTokens, float PrmScore, float? LookaheadScore,
        bool Terminal, FinishReason? FinishReason, string? ExtractedAnswer, bool? IsCorrect) => new()
    {
        SearchId = SearchId, NodeId = NodeId, ParentNodeId = ParentNodeId, Depth = Depth, Round = Round, RequestIndex = RequestIndex,
        SampleIndex = SampleIndex, StepIndex = StepIndex, Text = Text, PromptTokens = PromptTokens, GeneratedTokens = GeneratedTokens,
        LookaheadTokens = LookaheadTokens, PrmScore = PrmScore, LookaheadScore = LookaheadScore, Terminal = Terminal,
        FinishReason = FinishReason, ExtractedAnswer = ExtractedAnswer, IsCorrect = IsCorrect,
    };
}
