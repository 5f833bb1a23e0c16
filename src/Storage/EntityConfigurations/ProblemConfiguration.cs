using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage.EntityConfigurations;

internal sealed class ProblemConfiguration : IEntityTypeConfiguration<Problem>
{
    public void Configure(EntityTypeBuilder<Problem> b)
    {
        b.ToTable("problems", t => t.HasComment("One question of a dataset, with its gold answer."));
        b.HasKey(x => x.ProblemId);
        b.Property(x => x.ProblemId).UseSerialColumn().HasComment("Surrogate key (bigserial).");
        b.Property(x => x.DatasetId).HasComment("Dataset the problem belongs to.");
        b.HasOne<Dataset>().WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Ordinal).HasComment("0-based position of the problem in the source file (blank lines skipped).");
        b.Property(x => x.UniqueId).HasComment("Identifier from the file (MATH: unique_id such as 'test/algebra/1.json'); GSM8K and files without one: 'line-<n>'.");
        b.HasIndex(x => new { x.DatasetId, x.UniqueId }).IsUnique();
        b.Property(x => x.Text).HasColumnName("problem").HasComment("Problem statement as shown to the policy model.");
        b.Property(x => x.Solution).HasComment("Reference solution (MATH: full solution; GSM8K: the worked answer before '####'); NULL if the file has none.");
        b.Property(x => x.Answer).HasComment("Gold final answer (GSM8K: the text after '####').");
        b.Property(x => x.Subject).HasComment("MATH subject (e.g. 'Algebra'); NULL for GSM8K.");
        b.Property(x => x.Level).HasComment("MATH difficulty level 1-5 as given by the dataset; NULL for GSM8K.");
    }
}
