-- Issue 12's targets, read from the pipeline's views (docs/analysis.md) for one run of
-- samples/tiny-issue12.yaml: scripts/issue12-targets.sh RUN_ID (psql -v run=RUN_ID -f this file)
-- Levels are pooled as sum(correct) / sum(problems) (100 problems a level).
\set ON_ERROR_STOP on

-- 1. weighted best-of-64 (last-step score) vs majority@64, and pass@64, levels 3-5 pooled
--    target: weighted >= majority + 0.05; pass well above majority
SELECT 'L3-5 best_of_n@64' AS what, aggregator, step_aggregation,
       sum(correct) AS correct, sum(problems) AS problems, round(sum(correct)::numeric / sum(problems), 3) AS accuracy
FROM pipeline.accuracy_by_budget
WHERE run_id = :'run' AND strategy_label = 'best_of_n' AND budget_n = 64 AND level BETWEEN 3 AND 5
  AND ((aggregator = 'weighted' AND step_aggregation = 'last') OR aggregator IN ('majority', 'pass'))
GROUP BY aggregator, step_aggregation
ORDER BY aggregator;

-- 2. beam search / DVTS (M=4) at N=16, with and without duplicate filtering, vs weighted best-of-16, level 3
--    (and level 4 where the run has it)
--    target: beam or DVTS >= weighted best-of-16 + 0.05 on level 3
SELECT 'L' || level || ' @16' AS what, strategy_label, aggregator, step_aggregation, correct, problems, round(accuracy::numeric, 3) AS accuracy
FROM pipeline.accuracy_by_budget
WHERE run_id = :'run' AND budget_n = 16 AND level IN (3, 4) AND aggregator = 'weighted' AND step_aggregation = 'last'
  AND strategy_label IN ('best_of_n', 'beam(M=4)', 'dvts(M=4)', 'beam(M=4,dedup)', 'dvts(M=4,dedup)')
ORDER BY level, strategy_label;

-- 3. sequential revisions (chains of 4) at N=16, majority or hierarchical, vs parallel majority@16,
--    levels 2-3 pooled. Parallel = best-of-16's majority (and revisions(L=1), 16 parallel attempts).
--    target: revisions(L=4) >= parallel majority@16 + 0.05
SELECT 'L2-3 @16' AS what, strategy_label, aggregator, step_aggregation,
       sum(correct) AS correct, sum(problems) AS problems, round(sum(correct)::numeric / sum(problems), 3) AS accuracy
FROM pipeline.accuracy_by_budget
WHERE run_id = :'run' AND budget_n = 16 AND level BETWEEN 2 AND 3
  AND ((strategy_label IN ('revisions(L=4)', 'revisions(L=1)') AND aggregator IN ('majority', 'hierarchical'))
       OR (strategy_label = 'best_of_n' AND aggregator = 'majority'))
GROUP BY strategy_label, aggregator, step_aggregation
ORDER BY strategy_label, aggregator;

-- 4. accuracy by level falls from level 1 to 5 (a single sample: best-of-N at n=1), and pass@64 vs
--    majority@64 per level
SELECT level,
       round(max(accuracy) FILTER (WHERE budget_n = 1 AND aggregator = 'majority')::numeric, 3) AS single_sample,
       round(max(accuracy) FILTER (WHERE budget_n = 64 AND aggregator = 'majority')::numeric, 3) AS majority_64,
       round(max(accuracy) FILTER (WHERE budget_n = 64 AND aggregator = 'weighted' AND step_aggregation = 'last')::numeric, 3) AS weighted_64,
       round(max(accuracy) FILTER (WHERE budget_n = 64 AND aggregator = 'pass')::numeric, 3) AS pass_64
FROM pipeline.accuracy_by_budget
WHERE run_id = :'run' AND strategy_label = 'best_of_n'
GROUP BY level
ORDER BY level;

-- 5. revision chains (L=4): accuracy of each attempt (round 0 = the policy's first attempt, then one revision a
--    round), per level, over every chain of every problem; an attempt without an answer counts as wrong
--    target: accuracy does not fall along a chain
SELECT pr.level, st.round AS attempt, count(*) AS attempts,
       round(avg(coalesce(st.is_correct, false)::int)::numeric, 3) AS accuracy
FROM pipeline.steps st
JOIN pipeline.searches s ON s.search_id = st.search_id
JOIN pipeline.problems pr ON pr.problem_id = s.problem_id
WHERE s.run_id = :'run' AND s.strategy_label = 'revisions(L=4)' AND st.terminal
GROUP BY pr.level, st.round
ORDER BY pr.level, st.round;
