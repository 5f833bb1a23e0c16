using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pipeline.Search;
using Pipeline.Storage.Entities;
using Pipeline.Storage.Searches;

namespace Pipeline.Storage.EntityConfigurations;

internal sealed class SearchRecordConfiguration : IEntityTypeConfiguration<SearchRecord>
{
    public void Configure(EntityTypeBuilder<SearchRecord> b)
    {
        b.ToTable("searches", t =>
        {
            t.HasComment("One search: one problem x one strategy config x one budget. Its state machine lives in the Aggregator.");
            t.HasCheckConstraint("ck_searches_strategy", CheckConstraints.In("strategy", StrategyKinds.Names));
            t.HasCheckConstraint("ck_searches_status", CheckConstraints.In("status", StatusNames.SearchStatuses.Select(s => s.Name())));
        });
        b.HasKey(x => x.SearchId);
        b.Property(x => x.SearchId).UseSerialColumn().HasComment("Surrogate key (bigserial); carried in every message of the search.");
        b.Property(x => x.RunId).HasComment("Run the search belongs to.");
        b.HasOne<Run>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.ProblemId).HasComment("Problem searched.");
        b.HasOne<Problem>().WithMany().HasForeignKey(x => x.ProblemId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.RunId, x.ProblemId, x.StrategyLabel, x.Budget }).IsUnique();
        b.Property(x => x.Strategy).HasConversion(k => k.Name(), k => StrategyKinds.Parse(k)).HasComment("'best_of_n', 'beam', 'lookahead', 'dvts' or 'revisions'.");
        b.Property(x => x.StrategyLabel).HasComment("Strategy with its parameters, e.g. 'beam(M=4)', 'beam(M=sqrt)', 'beam(M=4,dedup)', 'lookahead(M=4,k=1)'; groups results in reports. Display only: the Aggregator reads the config from the typed columns.");
        b.Property(x => x.Budget).HasComment("Generation budget N (best-of-N and DVTS also report every smaller power of two from this one search).");
        b.Property(x => x.BeamWidth).HasComment("Beam width M as used (for sqrt: round(sqrt(N))); NULL for best_of_n and revisions.");
        b.Property(x => x.BeamWidthIsSqrt).HasComment("True when the spec asked for M = sqrt(N).");
        b.Property(x => x.Lookahead).HasComment("Lookahead rollout length k (0 = plain beam search).");
        b.Property(x => x.ChainLength).HasComment("Revision chain length L (N/L parallel chains); NULL for other strategies.");
        b.Property(x => x.FilterDuplicates).HasComment("Beam, lookahead and DVTS: partial solutions with identical text counted once when choosing the beams to expand (spec filter_duplicates; search-and-learn's filter_duplicates). False for the other strategies.");
        b.Property(x => x.MaxRounds).HasComment("Most rounds (expansion steps, or revisions) the search may take.");
        b.Property(x => x.Status).HasConversion(s => s.Name(), s => StatusNames.ParseSearchStatus(s)).HasComment("'pending' (not started), 'running', 'done' or 'failed'.");
        b.HasIndex(x => new { x.RunId, x.Status });
        b.Property(x => x.CurrentRound).HasDefaultValue(-1).HasSentinel(-1).HasComment("Last round requested from the workers; -1 before the first.");
        b.Property(x => x.RoundRequestedAt).HasComment("When the current round was requested.");
        b.Property(x => x.RoundAcceptedAt).HasComment("When a worker last took the current round into a batch (RoundAccepted); NULL until one did. A round requested long ago and never accepted is taken for lost.");
        b.Property(x => x.RoundRequests).HasDefaultValue(0).HasComment("Times the current round was requested again (recovery sweep, resume); 0 for a round requested once. Kept across Aggregator restarts.");
        b.Property(x => x.LastRoundRequestAt).HasComment("When the current round was last requested again; NULL when it never was.");
        b.Property(x => x.RoundFaultedAt).HasComment("When a worker first gave up on the current round (its message went to an _error queue); NULL when none did.");
        b.Property(x => x.FailureReason).HasComment("Why the search failed (the worker's exception, the re-requests that never came back, ...); NULL unless failed.");
        b.Property(x => x.StartedAt).HasComment("When the Aggregator started the search.");
        b.Property(x => x.FinishedAt).HasComment("When the search was finalized (outcomes written).");
    }
}
