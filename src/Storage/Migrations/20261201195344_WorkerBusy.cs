using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <summary>The work a worker has in flight, from its heartbeat (workers.rounds_in_flight, busy_since; issue 15): the
    /// recovery sweep does not take "nothing accepted for AcceptTimeoutSeconds" for lost rounds while an alive proposal
    /// worker is busy on a long batch. Views worker_status and workers_alive show the columns: dropped (databases
    /// migrated through Workers have them) and created again from their files.</summary>
    public partial class WorkerBusy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "busy_since",
                schema: "pipeline",
                table: "workers",
                type: "timestamp with time zone",
                nullable: true,
                comment: "When the oldest batch the worker was running at its latest heartbeat started, on the database clock (last_seen_at minus how long the worker, by its own clock, had been busy); NULL when idle.");

            migrationBuilder.AddColumn<int>(
                name: "rounds_in_flight",
                schema: "pipeline",
                table: "workers",
                type: "integer",
                nullable: false,
                defaultValue: 0,
                comment: "Rounds in the batches the worker was running at its latest heartbeat; 0 = idle. While an alive proposal worker is busy, the recovery sweep does not take silence (no round accepted for AcceptTimeoutSeconds) for lost rounds.");

            foreach (var view in SchemaSql.WorkerViews.Reverse())
                migrationBuilder.Sql($"DROP VIEW IF EXISTS pipeline.{view};");
            foreach (var view in SchemaSql.WorkerViews)
                migrationBuilder.Sql(SchemaSql.View(view));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // the views go with the columns they read (Workers' Down drops them if still there)
            foreach (var view in SchemaSql.WorkerViews.Reverse())
                migrationBuilder.Sql($"DROP VIEW IF EXISTS pipeline.{view};");
            migrationBuilder.DropColumn(
                name: "busy_since",
                schema: "pipeline",
                table: "workers");

            migrationBuilder.DropColumn(
                name: "rounds_in_flight",
                schema: "pipeline",
                table: "workers");
        }
    }
}
