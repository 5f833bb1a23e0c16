using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage.EntityConfigurations;

internal sealed class WorkerConfiguration : IEntityTypeConfiguration<Worker>
{
    public void Configure(EntityTypeBuilder<Worker> b)
    {
        b.ToTable("workers", t =>
        {
            t.HasComment("Latest heartbeat (WorkerHeartbeat message) of each worker process for each model it serves; one row per worker and model, upserted by the Aggregator. A worker is alive while last_seen_at is within 3 x interval_seconds (views worker_status, workers_alive).");
            t.HasCheckConstraint("ck_workers_role", CheckConstraints.In("role", WorkerRoles.All));
            t.HasCheckConstraint("ck_workers_model_slot", CheckConstraints.In("model_slot", WorkerRoles.Slots));
        });
        b.HasKey(x => new { x.WorkerId, x.Model });
        b.Property(x => x.WorkerId).HasComment("Worker process: host:pid.");
        b.Property(x => x.Model).HasComment("Model name from its manifest, as runs.policy_model / prm_model / revision_model name it.");
        b.Property(x => x.Role).HasComment("Worker role: proposal (policy and revision models) or verifier (PRM).");
        b.Property(x => x.ModelSlot).HasComment("Run spec key the model fills on this worker: policy, revision or prm.");
        b.Property(x => x.ManifestPath).HasComment("Absolute path of the manifest the worker loaded (on the worker's host).");
        b.Property(x => x.Device).HasComment("Where the model runs: cpu, cuda:N, or synthetic (no model, load tests).");
        b.Property(x => x.StartedAt).HasComment("When the worker process started (worker's clock).");
        b.Property(x => x.SentAt).HasComment("When the worker sent its latest heartbeat (worker's clock); an older heartbeat arriving late changes nothing.");
        b.Property(x => x.LastSeenAt).HasComment("When the Aggregator stored the latest heartbeat (database clock): liveness is measured from it.");
        b.Property(x => x.IntervalSeconds).HasComment("Seconds between the worker's heartbeats (WorkerHeartbeat__IntervalSeconds); 0 = the worker stopped cleanly.");
        b.Property(x => x.RoundsInFlight).HasComment("Rounds in the batches the worker was running at its latest heartbeat; 0 = idle. While an alive proposal worker is busy, the recovery sweep does not take silence (no round accepted for AcceptTimeoutSeconds) for lost rounds.");
        b.Property(x => x.BusySince).HasComment("When the oldest batch the worker was running at its latest heartbeat started, on the database clock (last_seen_at minus how long the worker, by its own clock, had been busy); NULL when idle.");
    }
}
