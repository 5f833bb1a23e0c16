using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage.EntityConfigurations;

internal sealed class SearchRoundConfiguration : IEntityTypeConfiguration<SearchRound>
{
    public void Configure(EntityTypeBuilder<SearchRound> b)
    {
        b.ToTable("search_rounds", t => t.HasComment("One row per stored round of a search; written in the same transaction as the round's steps, so a redelivered round is detected and changes nothing."));
        b.HasKey(x => new { x.SearchId, x.Round });
        b.Property(x => x.SearchId).HasComment("Search the round belongs to.");
        b.HasOne<SearchRecord>().WithMany().HasForeignKey(x => x.SearchId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Round).HasComment("Round number, 0-based.");
        b.Property(x => x.CompletedAt).HasComment("When the round's scored results were stored.");
        b.Property(x => x.Candidates).HasComment("Samples generated in the round.");
        b.Property(x => x.GeneratedTokens).HasComment("Tokens generated in the round, lookahead rollouts included.");
    }
}
