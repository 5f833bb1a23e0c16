-- How diverse beam search's and DVTS's trees are, next to best-of-N's samples, for one run at budget 16
-- (issue 12: why beam/DVTS stay below PRM-weighted best-of-16 on level 3).
--   psql -v run=RUN_ID -f models/tiny-arith/train/search_diversity.sql     (scripts/issue12-targets.sh's connection)
-- Partial solutions are compared by their step texts from the root (chr(30) between steps), as the
-- strategies' filter_duplicates does (src/Search/DistinctBeams.cs).
\set ON_ERROR_STOP on

CREATE TEMP TABLE div_nodes AS
WITH RECURSIVE s AS (
    SELECT search_id, strategy_label, budget FROM pipeline.searches WHERE run_id = :'run' AND budget = 16
), tree AS (
    SELECT st.search_id, st.node_id, st.request_index AS subtree, st.text AS prefix
    FROM pipeline.steps st JOIN s USING (search_id) WHERE st.parent_node_id IS NULL
    UNION ALL
    SELECT c.search_id, c.node_id, t.subtree, t.prefix || chr(30) || c.text
    FROM tree t JOIN pipeline.steps c ON c.search_id = t.search_id AND c.parent_node_id = t.node_id
)
SELECT st.*, t.subtree, t.prefix, s.strategy_label, s.budget
FROM pipeline.steps st JOIN tree t USING (search_id, node_id) JOIN s USING (search_id);

-- one row per sample (a Step-mode sample is one node, a Solution-mode sample its chain): its leaf and text
CREATE TEMP TABLE div_samples AS
SELECT search_id, strategy_label, budget, round, request_index, sample_index, min(subtree) AS subtree,
       (array_agg(node_id ORDER BY depth DESC))[1] AS leaf,
       (array_agg(parent_node_id ORDER BY depth))[1] AS parent,
       string_agg(text, chr(30) ORDER BY depth) AS sample_text,
       (array_agg(prefix ORDER BY depth DESC))[1] AS prefix
FROM div_nodes GROUP BY search_id, strategy_label, budget, round, request_index, sample_index;

-- 1. identical siblings: samples of one request (one parent, or one DVTS subtree's first steps)
--    dup_share = samples whose text an earlier sibling already had / all samples
SELECT '1 siblings' AS what, strategy_label, CASE WHEN round = 0 THEN 'round 0' ELSE 'later rounds' END AS rounds,
       count(*) AS requests, sum(n) AS samples, round(1 - sum(d)::numeric / sum(n), 3) AS dup_share,
       round(avg((d < n)::int), 3) AS requests_with_a_duplicate
FROM (SELECT strategy_label, search_id, round, request_index, count(*) AS n, count(DISTINCT sample_text) AS d
      FROM div_samples GROUP BY strategy_label, search_id, round, request_index) q
GROUP BY strategy_label, rounds ORDER BY strategy_label, rounds;

-- 2. kept beams: the parents a round r >= 1 expands, and how many distinct partial solutions they are
SELECT '2 kept' AS what, strategy_label, count(*) AS rounds, round(avg(kept), 2) AS avg_kept,
       round(avg(distinct_kept), 2) AS avg_distinct_kept, round(avg((distinct_kept < kept)::int), 3) AS rounds_with_duplicates_kept
FROM (SELECT x.strategy_label, x.search_id, x.round, count(DISTINCT x.parent) AS kept, count(DISTINCT p.prefix) AS distinct_kept
      FROM div_samples x JOIN div_nodes p ON p.search_id = x.search_id AND p.node_id = x.parent
      WHERE x.round >= 1 GROUP BY x.strategy_label, x.search_id, x.round) q
GROUP BY strategy_label ORDER BY strategy_label;

-- 3. final candidates as the strategies choose them (BestOfNStrategy, BeamSearchStrategy, DvtsStrategy):
--    best-of-N every sample; beam the first 16 completed in completion order; DVTS each subtree's last
--    round's samples. Distinct answers among them, distinct final texts, and whether any is right.
CREATE TEMP TABLE div_finals AS
SELECT f.*, n.extracted_answer, n.is_correct
FROM (
    SELECT search_id, strategy_label, leaf, prefix FROM div_samples WHERE strategy_label = 'best_of_n'
    UNION ALL
    SELECT search_id, strategy_label, node_id, prefix FROM (
        SELECT n.*, row_number() OVER (PARTITION BY search_id ORDER BY round, request_index, sample_index, depth, node_id) AS k
        FROM div_nodes n WHERE strategy_label LIKE 'beam%' AND terminal) b
    WHERE k <= budget
    UNION ALL
    SELECT search_id, strategy_label, leaf, prefix FROM (
        SELECT x.*, max(round) OVER (PARTITION BY search_id, subtree) AS last_round
        FROM div_samples x WHERE strategy_label LIKE 'dvts%') d
    WHERE round = last_round
) f JOIN div_nodes n ON n.search_id = f.search_id AND n.node_id = f.leaf;

SELECT '3 finals' AS what, strategy_label, count(*) AS searches, round(avg(finals), 2) AS avg_finals,
       round(avg(distinct_texts), 2) AS avg_distinct_solutions, round(avg(distinct_answers), 2) AS avg_distinct_answers,
       round(avg(any_correct::int), 3) AS any_final_correct
FROM (SELECT strategy_label, search_id, count(*) AS finals, count(DISTINCT prefix) AS distinct_texts,
             count(DISTINCT extracted_answer) AS distinct_answers, coalesce(bool_or(is_correct), false) AS any_correct
      FROM div_finals GROUP BY strategy_label, search_id) q
GROUP BY strategy_label ORDER BY strategy_label;
