using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pipeline.Search.Aggregation;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage.EntityConfigurations;

internal sealed class OutcomeConfiguration : IEntityTypeConfiguration<Outcome>
{
    public void Configure(EntityTypeBuilder<Outcome> b)
    {
        b.ToTable("outcomes", t =>
        {
            t.HasComment("Final answer of one search at one budget with one answer aggregator and one PRM step aggregation.");
            t.HasCheckConstraint("ck_outcomes_aggregator", CheckConstraints.In("aggregator", AnswerAggregators.Names));
            t.HasCheckConstraint("ck_outcomes_step_aggregation", CheckConstraints.In("step_aggregation", StepAggregations.Names));
        });
        b.HasKey(x => new { x.SearchId, x.BudgetN, x.Aggregator, x.StepAggregation });
        b.Property(x => x.SearchId).HasComment("Search the outcome belongs to.");
        b.HasOne<SearchRecord>().WithMany().HasForeignKey(x => x.SearchId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.BudgetN).HasComment("Budget n the outcome is for (best-of-N and DVTS: every power of two up to the search budget, from its first n samples).");
        b.Property(x => x.Aggregator).HasConversion(a => a.Name(), a => AnswerAggregators.Parse(a)).HasComment("'weighted' (sum of scores per distinct answer), 'majority', 'naive' (highest score), 'pass' (oracle pass@n) or 'hierarchical' (revisions: weighted within each chain, then across chains).");
        b.Property(x => x.StepAggregation).HasConversion(s => s.Name(), s => StepAggregations.Parse(s)).HasComment("How step scores make a solution score: 'last', 'min', 'prod', 'mean'; 'none' for aggregators that ignore scores.");
        b.Property(x => x.ChosenAnswer).HasComment("Answer chosen; NULL when no candidate reached an answer.");
        b.Property(x => x.IsCorrect).HasComment("Chosen answer graded against the gold answer (pass: any candidate correct).");
        b.Property(x => x.GeneratedTokens).HasComment("Tokens generated to reach this outcome (policy, revision and lookahead).");
        b.Property(x => x.PromptTokens).HasComment("Prompt tokens processed to reach this outcome.");
        b.Property(x => x.Flops).HasComment("Inference FLOPs: 2 x parameters x tokens, policy and PRM together.");
    }
}
