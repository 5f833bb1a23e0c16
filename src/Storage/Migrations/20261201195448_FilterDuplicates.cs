using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <summary>searches.filter_duplicates (issue 12: duplicate filtering in beam search and DVTS, the run spec's
    /// filter_duplicates). A migration of its own, as Workers: databases already migrated gain it through
    /// 'pipeline db migrate'; existing searches read false, which is how they ran.</summary>
    public partial class FilterDuplicates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "strategy_label",
                schema: "pipeline",
                table: "searches",
                type: "text",
                nullable: false,
                comment: "Strategy with its parameters, e.g. 'beam(M=4)', 'beam(M=sqrt)', 'beam(M=4,dedup)', 'lookahead(M=4,k=1)'; groups results in reports. Display only: the Aggregator reads the config from the typed columns.",
                oldClrType: typeof(string),
                oldType: "text",
                oldComment: "Strategy with its parameters, e.g. 'beam(M=4)', 'beam(M=sqrt)', 'lookahead(M=4,k=1)'; groups results in reports. Display only: the Aggregator reads the config from the typed columns.");

            migrationBuilder.AddColumn<bool>(
                name: "filter_duplicates",
                schema: "pipeline",
                table: "searches",
                type: "boolean",
                nullable: false,
                defaultValue: false,
                comment: "Beam, lookahead and DVTS: partial solutions with identical text counted once when choosing the beams to expand (spec filter_duplicates; search-and-learn's filter_duplicates). False for the other strategies.");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "filter_duplicates",
                schema: "pipeline",
                table: "searches");

            migrationBuilder.AlterColumn<string>(
                name: "strategy_label",
                schema: "pipeline",
                table: "searches",
                type: "text",
                nullable: false,
                comment: "Strategy with its parameters, e.g. 'beam(M=4)', 'beam(M=sqrt)', 'lookahead(M=4,k=1)'; groups results in reports. Display only: the Aggregator reads the config from the typed columns.",
                oldClrType: typeof(string),
                oldType: "text",
                oldComment: "Strategy with its parameters, e.g. 'beam(M=4)', 'beam(M=sqrt)', 'beam(M=4,dedup)', 'lookahead(M=4,k=1)'; groups results in reports. Display only: the Aggregator reads the config from the typed columns.");
        }
    }
}
