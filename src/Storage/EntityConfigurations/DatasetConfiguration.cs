using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage.EntityConfigurations;

internal sealed class DatasetConfiguration : IEntityTypeConfiguration<Dataset>
{
    public void Configure(EntityTypeBuilder<Dataset> b)
    {
        b.ToTable("datasets", t =>
        {
            t.HasComment("One imported problem file (MATH/PRM800K or GSM8K JSONL).");
            t.HasCheckConstraint("ck_datasets_format", "format IN ('math', 'gsm8k')");
        });
        b.HasKey(x => x.DatasetId);
        b.Property(x => x.DatasetId).UseSerialColumn().HasComment("Surrogate key.");
        b.Property(x => x.Name).HasComment("Name given at import (pipeline dataset import --name); run specs refer to it.");
        b.HasIndex(x => x.Name).IsUnique();
        b.Property(x => x.Format).HasComment("Line format of the source file: 'math' (problem/solution/answer/subject/level/unique_id) or 'gsm8k' (question/answer with '#### final').");
        b.Property(x => x.SourceFile).HasComment("Path of the imported file, as given on the command line.");
        b.Property(x => x.ProblemCount).HasComment("Number of problems imported (rows in problems).");
        b.Property(x => x.ImportedAt).HasComment("When the import committed.");
    }
}
