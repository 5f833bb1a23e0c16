using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <inheritdoc />
    public partial class OutcomeAggregatorHierarchical : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_outcomes_aggregator",
                schema: "pipeline",
                table: "outcomes");

            migrationBuilder.AlterColumn<string>(
                name: "aggregator",
                schema: "pipeline",
                table: "outcomes",
                type: "text",
                nullable: false,
                comment: "'weighted' (sum of scores per distinct answer), 'majority', 'naive' (highest score), 'pass' (oracle pass@n) or 'hierarchical' (revisions: weighted within each chain, then across chains).",
                oldClrType: typeof(string),
                oldType: "text",
                oldComment: "'weighted' (sum of scores per distinct answer), 'majority', 'naive' (highest score) or 'pass' (oracle pass@n).");

            migrationBuilder.AddCheckConstraint(
                name: "ck_outcomes_aggregator",
                schema: "pipeline",
                table: "outcomes",
                sql: "aggregator IN ('weighted', 'majority', 'naive', 'pass', 'hierarchical')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_outcomes_aggregator",
                schema: "pipeline",
                table: "outcomes");

            migrationBuilder.AlterColumn<string>(
                name: "aggregator",
                schema: "pipeline",
                table: "outcomes",
                type: "text",
                nullable: false,
                comment: "'weighted' (sum of scores per distinct answer), 'majority', 'naive' (highest score) or 'pass' (oracle pass@n).",
                oldClrType: typeof(string),
                oldType: "text",
                oldComment: "'weighted' (sum of scores per distinct answer), 'majority', 'naive' (highest score), 'pass' (oracle pass@n) or 'hierarchical' (revisions: weighted within each chain, then across chains).");

            migrationBuilder.AddCheckConstraint(
                name: "ck_outcomes_aggregator",
                schema: "pipeline",
                table: "outcomes",
                sql: "aggregator IN ('weighted', 'majority', 'naive', 'pass')");
        }
    }
}
