-- Question difficulty as in Snell et al. (2024). The samples are those of the run's best-of-N search
-- (the largest budget when there are several): i.i.d. draws from the policy, which is what pass@1 is
-- estimated from. A sample is one (round, request_index, sample_index); its last step decides it
-- (not terminal = wrong). A run with difficulty_run_id takes them from that run (a difficulty run of K samples per
-- problem, as in the paper) instead of its own best-of-N; its bins are then the same as every other run's that
-- references the same difficulty run, which is what makes runs comparable bin by bin.
CREATE VIEW pipeline.problem_difficulty AS
WITH source AS (
    SELECT run_id, coalesce(difficulty_run_id, run_id) AS difficulty_run_id FROM pipeline.runs),
bon AS (
    SELECT DISTINCT ON (run_id, problem_id) run_id, problem_id, search_id
    FROM pipeline.searches
    WHERE strategy = 'best_of_n' AND status = 'done'
    ORDER BY run_id, problem_id, budget DESC),
last_steps AS (
    SELECT DISTINCT ON (st.search_id, st.round, st.request_index, st.sample_index)
           st.search_id, coalesce(st.is_correct, false) AS correct, st.prm_score
    FROM pipeline.steps st JOIN bon ON bon.search_id = st.search_id
    ORDER BY st.search_id, st.round, st.request_index, st.sample_index, st.step_index DESC),
per_problem AS (
    SELECT bon.run_id, bon.problem_id, count(*)::int AS samples,
           count(*) FILTER (WHERE l.correct)::int AS correct_samples,
           avg(l.correct::int)::double precision AS pass_at_1,
           avg(l.prm_score)::double precision AS mean_final_score
    FROM bon JOIN last_steps l ON l.search_id = bon.search_id
    GROUP BY bon.run_id, bon.problem_id)
SELECT s.run_id, p.problem_id, p.samples, p.correct_samples, p.pass_at_1, p.mean_final_score,
       ntile(5) OVER (PARTITION BY s.run_id ORDER BY p.pass_at_1 DESC, p.problem_id)::int AS oracle_bin,
       ntile(5) OVER (PARTITION BY s.run_id ORDER BY p.mean_final_score DESC, p.problem_id)::int AS predicted_bin,
       s.difficulty_run_id
FROM source s JOIN per_problem p ON p.run_id = s.difficulty_run_id;

COMMENT ON VIEW pipeline.problem_difficulty IS 'Per run and problem: pass@1 and mean final-step PRM score over the samples of the best-of-N search of the run (or of its difficulty run, runs.difficulty_run_id), and the 5 quantile bins they give (1 = easiest): oracle (pass@1, needs gold answers) and predicted (PRM score, needs none).';
COMMENT ON COLUMN pipeline.problem_difficulty.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.problem_difficulty.problem_id IS 'Problem.';
COMMENT ON COLUMN pipeline.problem_difficulty.samples IS 'Samples of the best-of-N search (its budget N).';
COMMENT ON COLUMN pipeline.problem_difficulty.difficulty_run_id IS 'Run whose best-of-N samples these are: runs.difficulty_run_id, or the run itself.';
COMMENT ON COLUMN pipeline.problem_difficulty.correct_samples IS 'Samples whose final answer is correct.';
COMMENT ON COLUMN pipeline.problem_difficulty.pass_at_1 IS 'correct_samples / samples.';
COMMENT ON COLUMN pipeline.problem_difficulty.mean_final_score IS 'Mean PRM score of the samples'' last steps.';
COMMENT ON COLUMN pipeline.problem_difficulty.oracle_bin IS 'Quintile of pass@1 within the difficulty run, 1 = easiest.';
COMMENT ON COLUMN pipeline.problem_difficulty.predicted_bin IS 'Quintile of mean_final_score within the difficulty run, 1 = easiest.';
