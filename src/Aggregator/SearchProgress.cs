using Microsoft.Extensions.Logging;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Grading;
using Pipeline.Search;
using Pipeline.ServiceDefaults;
using Pipeline.Storage;
using Pipeline.Storage.Searches;

namespace Pipeline.Aggregator;

/// <summary>
/// The search state machine. Each call is one transaction on the search's locked row: store what came
/// back, ask the strategy what is next, write outcomes or mark the next round requested, commit. It returns
/// the ExpandRound to publish, which the caller publishes only AFTER the commit: a crash in between leaves
/// a requested round that never went out, which the recovery sweep re-requests (never a published round
/// whose request was rolled back).
/// </summary>
public sealed class SearchProgress(NpgsqlDataSource db, IAnswerGrader grader, PipelineMetrics metrics, ILogger<SearchProgress> logger)
{
    /// <summary>Starts a pending search, or re-requests the current round of a running one (SearchRequested
    /// redelivered, or the recovery sweep when <paramref name="onlyIfOlderThan"/> is set: then only a
    /// running search, and only while it is still at <paramref name="onlyRound"/> when given). Finished searches: nothing.</summary>
    public async Task<ExpandRound?> RequestCurrentRoundAsync(long searchId, TimeSpan? onlyIfOlderThan, CancellationToken ct, int? onlyRound = null)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var search = await SearchStateStore.LockAsync(c, tx, searchId, ct)
            ?? throw new PermanentMessageException($"search {searchId} does not exist in pipeline.searches");
        if (search.Status.IsFinished() || (onlyRound is { } only && search.CurrentRound != only)) return null;
        if (onlyIfOlderThan is { } age && (search.Status != SearchStatus.Running || search.RoundAgeSeconds < age.TotalSeconds)) return null;

        var round = Math.Max(search.CurrentRound, 0);
        var tree = await SearchStateStore.LoadTreeAsync(c, tx, searchId, ct);
        var next = await DecideAsync(c, tx, search, tree, round, ct);
        await tx.CommitAsync(ct);
        if (next is not null && search.Status == SearchStatus.Running)
            logger.LogInformation("search {Search}: round {Round} requested again (status {Status}, requested {Age:F0} s ago)",
                searchId, round, search.Status.Name(), search.RoundAgeSeconds);
        return next;
    }

    /// <summary>Stores a scored round and decides the next one. Duplicates and stale rounds change nothing.
    /// A round the database refuses for its content (a check or encoding violation) would be refused on every
    /// retry and every recovery re-request, so it fails its search instead of stalling it.</summary>
    public async Task<ExpandRound?> RecordRoundAsync(RoundScored scored, CancellationToken ct)
    {
        try
        {
            return await StoreRoundAsync(scored, ct);
        }
        catch (PostgresException e) when (PostgresErrors.IsContentRefusal(e))
        {
            logger.LogError(e, "search {Search}: round {Round} refused by the database ({SqlState} {Constraint}): search failed",
                scored.Request.SearchId, scored.Request.Round, e.SqlState, e.ConstraintName);
            await FailAsync(scored.Request.SearchId, $"round {scored.Request.Round} refused by the database ({e.SqlState} {e.ConstraintName}): {e.MessageText}", ct);
            return null;
        }
    }

    /// <summary>Ends a search as 'failed' with <paramref name="reason"/> (if it is still open, and still at <paramref name="round"/> when given).</summary>
    public async Task FailAsync(long searchId, string reason, CancellationToken ct, int? round = null)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var search = await SearchStateStore.LockAsync(c, tx, searchId, ct);
        if (search is null || search.Status.IsFinished() || (round is { } r && search.CurrentRound != r)) return;
        await SearchStateStore.FailedAsync(c, tx, search, reason, ct);
        await tx.CommitAsync(ct);
    }

    private async Task<ExpandRound?> StoreRoundAsync(RoundScored scored, CancellationToken ct)
    {
        var searchId = scored.Request.SearchId;
        var round = scored.Request.Round;
        await using var c = await db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var search = await SearchStateStore.LockAsync(c, tx, searchId, ct)
            ?? throw new PermanentMessageException($"RoundScored(search {searchId}, round {round}): search {searchId} does not exist in pipeline.searches");
        if (search.Status.IsFinished() || round != search.CurrentRound)
        {
            logger.LogInformation("search {Search}: round {Round} dropped (search {Status}, current round {Current}): a duplicate or stale delivery",
                searchId, round, search.Status.Name(), search.CurrentRound);
            return null;
        }

        var tree = await SearchStateStore.LoadTreeAsync(c, tx, searchId, ct);
        var stored = RoundRows.Build(search, scored, tree, grader);
        if (!await SearchStateStore.TryInsertRoundAsync(c, tx, searchId, round, stored.Candidates, stored.GeneratedTokens, ct))
        {
            logger.LogInformation("search {Search}: round {Round} already stored: duplicate dropped", searchId, round);
            return null;
        }
        await SearchStateStore.WriteStepsAsync(c, tx, stored.Rows, ct);
        var next = await DecideAsync(c, tx, search, [.. tree, .. stored.Nodes], round + 1, ct);
        await tx.CommitAsync(ct);
        metrics.Record(1, stored.Candidates, stored.GeneratedTokens);
        return next;
    }

    /// <summary>Asks the strategy for round <paramref name="round"/>: writes outcomes and ends the search when
    /// it is done, else marks the round requested and returns its message.</summary>
    private async Task<ExpandRound?> DecideAsync(NpgsqlConnection c, NpgsqlTransaction tx, SearchState search,
        IReadOnlyList<TreeNode> tree, int round, CancellationToken ct)
    {
        ExpandRound? next = null;
        IReadOnlyList<OutcomeRow>? outcomes = null;
        try
        {
            // pure and deterministic: an exception here would recur on every retry, so it fails the search
            var strategy = StrategyFactory.Create(search.Strategy);
            var plan = strategy.Plan(tree, round);
            if (plan.Done) outcomes = OutcomeRows.Build(strategy, tree, plan.FinalCandidates, search, grader);
            else next = RoundMessages.Build(search, tree, plan, round);
        }
        catch (Exception e) when (e is SearchFailedException or ArgumentException or InvalidOperationException or FormatException)
        {
            logger.LogError(e, "search {Search} ({Label}, N={Budget}) failed at round {Round}: {Message}",
                search.SearchId, search.Strategy.Label, search.Strategy.Budget, round, e.Message);
            await SearchStateStore.FailedAsync(c, tx, search, $"round {round}: {e.Message}", ct);
            return null;
        }

        if (outcomes is not null)
        {
            await SearchStateStore.InsertOutcomesAsync(c, tx, search.SearchId, outcomes, ct);
            await SearchStateStore.FinishedAsync(c, tx, search, ct);
            logger.LogInformation("search {Search} ({Label}, N={Budget}) done after {Rounds} rounds: {Outcomes} outcome rows",
                search.SearchId, search.Strategy.Label, search.Strategy.Budget, round, outcomes.Count);
            return null;
        }
        await SearchStateStore.RequestedAsync(c, tx, search, round, ct);
        return next;
    }
}
