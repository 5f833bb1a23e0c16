CREATE VIEW pipeline.worker_status AS
SELECT w.worker_id, w.role, w.model, w.model_slot, w.device, w.manifest_path, w.started_at, w.last_seen_at,
       EXTRACT(EPOCH FROM now() - w.last_seen_at)::float8 AS seconds_since_seen,
       w.interval_seconds,
       w.last_seen_at >= now() - make_interval(secs => 3 * w.interval_seconds) AS alive,
       w.rounds_in_flight, w.busy_since,
       EXTRACT(EPOCH FROM now() - w.busy_since)::float8 AS busy_seconds
FROM pipeline.workers w;

COMMENT ON VIEW pipeline.worker_status IS 'Every worker and model of table workers, with whether the worker is alive: its latest heartbeat is within 3 x its interval (a worker stopped cleanly sends interval 0 and is dead at once).';
COMMENT ON COLUMN pipeline.worker_status.worker_id IS 'Worker process: host:pid.';
COMMENT ON COLUMN pipeline.worker_status.role IS 'proposal or verifier.';
COMMENT ON COLUMN pipeline.worker_status.model IS 'Model name from its manifest (runs.policy_model / prm_model / revision_model).';
COMMENT ON COLUMN pipeline.worker_status.model_slot IS 'policy, revision or prm.';
COMMENT ON COLUMN pipeline.worker_status.device IS 'cpu, cuda:N or synthetic.';
COMMENT ON COLUMN pipeline.worker_status.manifest_path IS 'Manifest the worker loaded (path on its host).';
COMMENT ON COLUMN pipeline.worker_status.started_at IS 'When the worker process started (worker clock).';
COMMENT ON COLUMN pipeline.worker_status.last_seen_at IS 'When its latest heartbeat was stored (database clock).';
COMMENT ON COLUMN pipeline.worker_status.seconds_since_seen IS 'Seconds since last_seen_at.';
COMMENT ON COLUMN pipeline.worker_status.interval_seconds IS 'The worker''s heartbeat interval; 0 = stopped cleanly.';
COMMENT ON COLUMN pipeline.worker_status.alive IS 'True while last_seen_at is within 3 x interval_seconds of now.';
COMMENT ON COLUMN pipeline.worker_status.rounds_in_flight IS 'Rounds in the batches the worker was running at its latest heartbeat; 0 = idle.';
COMMENT ON COLUMN pipeline.worker_status.busy_since IS 'When the oldest of those batches started (database clock); NULL when idle.';
COMMENT ON COLUMN pipeline.worker_status.busy_seconds IS 'Seconds since busy_since (a batch far longer than usual may be stuck); NULL when idle.';
