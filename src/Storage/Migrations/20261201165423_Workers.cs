using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <summary>Table workers (the workers' heartbeats) and its views worker_status and workers_alive (issue 15). A
    /// migration of its own, not folded into Initial: databases already migrated (the dev servers', the demo's) get it
    /// from 'pipeline db migrate', and the Aggregator, which writes the table, then finds it there. Its views were
    /// created here at first; they now read columns of <see cref="WorkerBusy"/>, which creates them instead.</summary>
    public partial class Workers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "workers",
                schema: "pipeline",
                columns: table => new
                {
                    worker_id = table.Column<string>(type: "text", nullable: false, comment: "Worker process: host:pid."),
                    model = table.Column<string>(type: "text", nullable: false, comment: "Model name from its manifest, as runs.policy_model / prm_model / revision_model name it."),
                    role = table.Column<string>(type: "text", nullable: false, comment: "Worker role: proposal (policy and revision models) or verifier (PRM)."),
                    model_slot = table.Column<string>(type: "text", nullable: false, comment: "Run spec key the model fills on this worker: policy, revision or prm."),
                    manifest_path = table.Column<string>(type: "text", nullable: false, comment: "Absolute path of the manifest the worker loaded (on the worker's host)."),
                    device = table.Column<string>(type: "text", nullable: false, comment: "Where the model runs: cpu, cuda:N, or synthetic (no model, load tests)."),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, comment: "When the worker process started (worker's clock)."),
                    sent_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, comment: "When the worker sent its latest heartbeat (worker's clock); an older heartbeat arriving late changes nothing."),
                    last_seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, comment: "When the Aggregator stored the latest heartbeat (database clock): liveness is measured from it."),
                    interval_seconds = table.Column<double>(type: "double precision", nullable: false, comment: "Seconds between the worker's heartbeats (WorkerHeartbeat__IntervalSeconds); 0 = the worker stopped cleanly.")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_workers", x => new { x.worker_id, x.model });
                    table.CheckConstraint("ck_workers_model_slot", "model_slot IN ('policy', 'revision', 'prm')");
                    table.CheckConstraint("ck_workers_role", "role IN ('proposal', 'verifier')");
                },
                comment: "Latest heartbeat (WorkerHeartbeat message) of each worker process for each model it serves; one row per worker and model, upserted by the Aggregator. A worker is alive while last_seen_at is within 3 x interval_seconds (views worker_status, workers_alive).");

            // the views (SchemaSql.WorkerViews) come with WorkerBusy: their files read its columns
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var view in SchemaSql.WorkerViews.Reverse())
                migrationBuilder.Sql($"DROP VIEW IF EXISTS pipeline.{view};");
            migrationBuilder.DropTable(
                name: "workers",
                schema: "pipeline");
        }
    }
}
