using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <inheritdoc />
    public partial class RoundRecovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "failure_reason",
                schema: "pipeline",
                table: "searches",
                type: "text",
                nullable: true,
                comment: "Why the search failed (the worker's exception, the re-requests that never came back, ...); NULL unless failed.");

            migrationBuilder.AddColumn<DateTime>(
                name: "last_round_request_at",
                schema: "pipeline",
                table: "searches",
                type: "timestamp with time zone",
                nullable: true,
                comment: "When the current round was last requested again; NULL when it never was.");

            migrationBuilder.AddColumn<DateTime>(
                name: "round_accepted_at",
                schema: "pipeline",
                table: "searches",
                type: "timestamp with time zone",
                nullable: true,
                comment: "When a worker last took the current round into a batch (RoundAccepted); NULL until one did. A round requested long ago and never accepted is taken for lost.");

            migrationBuilder.AddColumn<DateTime>(
                name: "round_faulted_at",
                schema: "pipeline",
                table: "searches",
                type: "timestamp with time zone",
                nullable: true,
                comment: "When a worker first gave up on the current round (its message went to an _error queue); NULL when none did.");

            migrationBuilder.AddColumn<int>(
                name: "round_requests",
                schema: "pipeline",
                table: "searches",
                type: "integer",
                nullable: false,
                defaultValue: 0,
                comment: "Times the current round was requested again (recovery sweep, resume); 0 for a round requested once. Kept across Aggregator restarts.");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "failure_reason",
                schema: "pipeline",
                table: "searches");

            migrationBuilder.DropColumn(
                name: "last_round_request_at",
                schema: "pipeline",
                table: "searches");

            migrationBuilder.DropColumn(
                name: "round_accepted_at",
                schema: "pipeline",
                table: "searches");

            migrationBuilder.DropColumn(
                name: "round_faulted_at",
                schema: "pipeline",
                table: "searches");

            migrationBuilder.DropColumn(
                name: "round_requests",
                schema: "pipeline",
                table: "searches");
        }
    }
}
