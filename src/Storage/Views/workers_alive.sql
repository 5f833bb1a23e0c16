CREATE VIEW pipeline.workers_alive AS
SELECT worker_id, role, model, model_slot, device, manifest_path, started_at, last_seen_at, seconds_since_seen,
       rounds_in_flight, busy_since, busy_seconds
FROM pipeline.worker_status
WHERE alive;

COMMENT ON VIEW pipeline.workers_alive IS 'The workers alive now (worker_status.alive), one row per worker and model it serves: what a run''s models can be served by.';
COMMENT ON COLUMN pipeline.workers_alive.worker_id IS 'Worker process: host:pid.';
COMMENT ON COLUMN pipeline.workers_alive.role IS 'proposal or verifier.';
COMMENT ON COLUMN pipeline.workers_alive.model IS 'Model name from its manifest (runs.policy_model / prm_model / revision_model).';
COMMENT ON COLUMN pipeline.workers_alive.model_slot IS 'policy, revision or prm.';
COMMENT ON COLUMN pipeline.workers_alive.device IS 'cpu, cuda:N or synthetic.';
COMMENT ON COLUMN pipeline.workers_alive.manifest_path IS 'Manifest the worker loaded (path on its host).';
COMMENT ON COLUMN pipeline.workers_alive.started_at IS 'When the worker process started (worker clock).';
COMMENT ON COLUMN pipeline.workers_alive.last_seen_at IS 'When its latest heartbeat was stored (database clock).';
COMMENT ON COLUMN pipeline.workers_alive.seconds_since_seen IS 'Seconds since last_seen_at.';
COMMENT ON COLUMN pipeline.workers_alive.rounds_in_flight IS 'Rounds in the batches the worker was running at its latest heartbeat; 0 = idle.';
COMMENT ON COLUMN pipeline.workers_alive.busy_since IS 'When the oldest of those batches started (database clock); NULL when idle.';
COMMENT ON COLUMN pipeline.workers_alive.busy_seconds IS 'Seconds since busy_since; NULL when idle.';
