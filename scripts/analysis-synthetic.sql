-- Synthetic MATH500-sized data for timing the analysis views (docs/schema.md): run on an EMPTY migrated database
-- (it assumes dataset_id 1), e.g. createdb + pipeline db migrate --connection ..., then psql -f this file.
-- MATH500-sized synthetic run: 500 problems, best_of_n N=64 (64 one-step samples each), beam at 4..64, revisions L=1,4,16 at 16
INSERT INTO pipeline.datasets (name, format, source_file, problem_count, imported_at) VALUES ('synth', 'math', 'synth', 500, now());
INSERT INTO pipeline.problems (dataset_id, ordinal, unique_id, problem, answer, level)
SELECT 1, g, 'p' || g, 'p', '1', 1 + g % 5 FROM generate_series(0, 499) g;
INSERT INTO pipeline.runs (run_id, name, dataset_id, spec_json, policy_model, prm_model, policy_model_path, prm_model_path,
    policy_parameters, prm_parameters, temperature, top_p, max_new_tokens, max_steps, seed, status, created_at, policy_pretraining_tokens)
VALUES ('00000000-0000-0000-0000-000000000001', 'small', 1, '{}', 'pol', 'prm', 'p', 'r', 1000, 1000, 1, 1, 32, 8, 1, 'done', now(), 1000000),
       ('00000000-0000-0000-0000-000000000002', 'large', 1, '{}', 'big', 'prm', 'p', 'r', 14000, 1000, 1, 1, 32, 8, 1, 'done', now(), 1000000);
INSERT INTO pipeline.searches (run_id, problem_id, strategy, strategy_label, budget, beam_width, beam_width_is_sqrt, lookahead, chain_length, max_rounds, status)
SELECT '00000000-0000-0000-0000-000000000001', p.problem_id, c.strategy, c.label, c.budget, c.bw, false, 0, c.l, 40, 'done'
FROM pipeline.problems p CROSS JOIN (VALUES ('best_of_n','best_of_n',64,NULL::int,NULL::int),
  ('beam','beam(M=4)',4,4,NULL),('beam','beam(M=4)',16,4,NULL),('beam','beam(M=4)',64,4,NULL),
  ('revisions','revisions(L=1)',16,NULL,1),('revisions','revisions(L=4)',16,NULL,4),('revisions','revisions(L=16)',16,NULL,16)) c(strategy,label,budget,bw,l);
INSERT INTO pipeline.searches (run_id, problem_id, strategy, strategy_label, budget, beam_width_is_sqrt, lookahead, max_rounds, status)
SELECT '00000000-0000-0000-0000-000000000002', p.problem_id, 'best_of_n', 'best_of_n', 4, false, 0, 40, 'done' FROM pipeline.problems p;
-- a hidden difficulty per problem: h in [0,1)
CREATE TEMP TABLE h AS SELECT problem_id, ((problem_id * 7919) % 1000) / 1000.0 AS h FROM pipeline.problems;
INSERT INTO pipeline.steps (search_id, node_id, depth, round, request_index, sample_index, step_index, text, prompt_tokens, generated_tokens, lookahead_tokens, prm_score, terminal, finish_reason, extracted_answer, is_correct)
SELECT s.search_id, k + 1, 1, 0, 0, k, 0, 's', 10, 50, 0, random(), true, 'eos', '1', random() > h.h
FROM pipeline.searches s JOIN h USING (problem_id) CROSS JOIN generate_series(0, 63) k
WHERE s.strategy = 'best_of_n' AND s.run_id = '00000000-0000-0000-0000-000000000001';
INSERT INTO pipeline.outcomes (search_id, budget_n, aggregator, step_aggregation, chosen_answer, is_correct, generated_tokens, prompt_tokens, flops)
SELECT s.search_id, n, a.agg, a.sa, '1', random() < (1 - h.h) * (0.6 + 0.05 * ln(n) / ln(2)), 50 * n, 10, 2.0 * (case when s.run_id::text like '%2' then 14000 else 1000 end) * 50 * n
FROM pipeline.searches s JOIN h USING (problem_id)
CROSS JOIN (VALUES ('weighted','last'),('weighted','min'),('majority','none'),('naive','last'),('pass','none')) a(agg, sa)
CROSS JOIN LATERAL (SELECT 2 ^ g AS n FROM generate_series(0, 6) g) b
WHERE (s.strategy = 'best_of_n' AND b.n <= s.budget) OR (s.strategy <> 'best_of_n' AND b.n = s.budget);
ANALYZE;
