CREATE VIEW pipeline.run_progress AS
SELECT r.run_id, r.name, r.status, r.created_at,
       coalesce(s.searches, 0) AS searches,
       coalesce(s.searches_done, 0) AS searches_done,
       coalesce(s.searches_failed, 0) AS searches_failed,
       coalesce(s.searches_running, 0) AS searches_running,
       coalesce(t.steps, 0) AS steps,
       coalesce(t.generated_tokens, 0) AS generated_tokens,
       s.first_started_at, s.last_finished_at
FROM pipeline.runs r
LEFT JOIN (
    SELECT run_id, count(*) AS searches,
           count(*) FILTER (WHERE status = 'done') AS searches_done,
           count(*) FILTER (WHERE status = 'failed') AS searches_failed,
           count(*) FILTER (WHERE status = 'running') AS searches_running,
           min(started_at) AS first_started_at, max(finished_at) AS last_finished_at
    FROM pipeline.searches GROUP BY run_id) s ON s.run_id = r.run_id
LEFT JOIN (
    SELECT se.run_id, count(*) AS steps, sum(st.generated_tokens + st.lookahead_tokens) AS generated_tokens
    FROM pipeline.steps st JOIN pipeline.searches se ON se.search_id = st.search_id
    GROUP BY se.run_id) t ON t.run_id = r.run_id;

COMMENT ON VIEW pipeline.run_progress IS 'Progress of every run: searches by status, steps stored, tokens generated.';
COMMENT ON COLUMN pipeline.run_progress.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.run_progress.name IS 'Run name from the spec.';
COMMENT ON COLUMN pipeline.run_progress.status IS 'Run status (submitted, running, done).';
COMMENT ON COLUMN pipeline.run_progress.created_at IS 'When the run was submitted.';
COMMENT ON COLUMN pipeline.run_progress.searches IS 'Searches in the run.';
COMMENT ON COLUMN pipeline.run_progress.searches_done IS 'Searches finished with outcomes.';
COMMENT ON COLUMN pipeline.run_progress.searches_failed IS 'Searches that failed.';
COMMENT ON COLUMN pipeline.run_progress.searches_running IS 'Searches started and not finished.';
COMMENT ON COLUMN pipeline.run_progress.steps IS 'Step rows stored.';
COMMENT ON COLUMN pipeline.run_progress.generated_tokens IS 'Tokens generated (steps and lookahead rollouts).';
COMMENT ON COLUMN pipeline.run_progress.first_started_at IS 'When the first search started.';
COMMENT ON COLUMN pipeline.run_progress.last_finished_at IS 'When the latest search finished.';
