using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pipeline.Storage.Entities;
using Pipeline.Storage.Searches;

namespace Pipeline.Storage.EntityConfigurations;

internal sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    public void Configure(EntityTypeBuilder<Run> b)
    {
        b.ToTable("runs", t =>
        {
            t.HasComment("One submitted experiment: dataset x models x strategy configs x budgets x seed.");
            t.HasCheckConstraint("ck_runs_status", CheckConstraints.In("status", StatusNames.RunStatuses.Select(s => s.Name())));
            t.HasCheckConstraint("ck_runs_revision_parameters", "(revision_model IS NULL) = (revision_parameters IS NULL)");
        });
        b.HasKey(x => x.RunId);
        b.Property(x => x.RunId).ValueGeneratedNever().HasComment("Run id printed by 'pipeline run submit'; carried in every message.");
        b.Property(x => x.Name).HasComment("Name from the run spec.");
        b.Property(x => x.DatasetId).HasComment("Dataset the run's problems come from.");
        b.HasOne<Dataset>().WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
        b.Property(x => x.SpecJson).HasColumnType("jsonb").HasComment("The run spec exactly as submitted (YAML converted to JSON), for provenance; everything analysts query is also a column.");
        b.Property(x => x.PolicyModel).HasComment("Policy model name from its manifest.");
        b.Property(x => x.PrmModel).HasComment("Process reward model name from its manifest.");
        b.Property(x => x.RevisionModel).HasComment("Revision model name from its manifest; NULL when the spec has none.");
        b.Property(x => x.PolicyModelPath).HasComment("Path of the policy manifest (*.manifest.json) as given in the spec.");
        b.Property(x => x.PrmModelPath).HasComment("Path of the PRM manifest as given in the spec.");
        b.Property(x => x.RevisionModelPath).HasComment("Path of the revision model manifest; NULL when none.");
        b.Property(x => x.PolicyParameters).HasComment("Policy parameter count from its manifest (FLOPs: 2 x params per token).");
        b.Property(x => x.PrmParameters).HasComment("PRM parameter count from its manifest.");
        b.Property(x => x.RevisionParameters).HasComment("Revision model parameter count from its manifest; NULL when the spec has none.");
        b.Property(x => x.PolicyPretrainingTokens).HasComment("Policy pretraining tokens from its manifest (pretraining_tokens), for the FLOPs-matched comparison; NULL when the manifest has none.");
        b.Property(x => x.DifficultyRunId).HasComment("Run whose best-of-N samples give this run's difficulty bins (spec difficulty_from); NULL = the run's own.");
        b.HasOne<Run>().WithMany().HasForeignKey(x => x.DifficultyRunId).OnDelete(DeleteBehavior.Restrict);
        b.Property(x => x.Temperature).HasComment("Sampling temperature (0 = greedy).");
        b.Property(x => x.TopP).HasComment("Nucleus sampling threshold (1 = off).");
        b.Property(x => x.MaxNewTokens).HasComment("Token limit of one generation call (one step or one whole solution).");
        b.Property(x => x.MaxSteps).HasComment("Most steps in one solution.");
        b.Property(x => x.Seed).HasComment("Base random seed; per-request seeds derive from it.");
        b.Property(x => x.Status).HasConversion(s => s.Name(), s => StatusNames.ParseRunStatus(s)).HasComment("'submitted' (searches published), 'running', or 'done' (every search done or failed).");
        b.Property(x => x.CreatedAt).HasComment("When the run was submitted.");
        b.Property(x => x.FinishedAt).HasComment("When the last search finished; NULL while running.");
    }
}
