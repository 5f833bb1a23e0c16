-- A best-of-N config submitted with budgets [16, 64] reports n = 16 twice (directly, and nested
-- from the 64 run): keep one outcome per problem, from the smallest search budget that has it.
CREATE VIEW pipeline.outcomes_per_problem AS
SELECT DISTINCT ON (s.run_id, s.strategy_label, o.budget_n, o.aggregator, o.step_aggregation, s.problem_id)
       s.run_id, s.strategy, s.strategy_label, o.budget_n, o.aggregator, o.step_aggregation,
       s.problem_id, p.level, o.search_id, o.chosen_answer, o.is_correct,
       o.generated_tokens, o.prompt_tokens, o.flops
FROM pipeline.outcomes o
JOIN pipeline.searches s ON s.search_id = o.search_id
JOIN pipeline.problems p ON p.problem_id = s.problem_id
ORDER BY s.run_id, s.strategy_label, o.budget_n, o.aggregator, o.step_aggregation, s.problem_id, s.budget;

COMMENT ON VIEW pipeline.outcomes_per_problem IS 'One outcome per run x strategy config x budget n x aggregator x step aggregation x problem (duplicates from nested budgets removed: the smallest search budget wins).';
COMMENT ON COLUMN pipeline.outcomes_per_problem.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.outcomes_per_problem.strategy IS 'Strategy kind (best_of_n, beam, lookahead, dvts, revisions).';
COMMENT ON COLUMN pipeline.outcomes_per_problem.strategy_label IS 'Strategy with parameters, e.g. beam(M=4).';
COMMENT ON COLUMN pipeline.outcomes_per_problem.budget_n IS 'Generation budget n.';
COMMENT ON COLUMN pipeline.outcomes_per_problem.aggregator IS 'Answer aggregator (weighted, majority, naive, pass, hierarchical).';
COMMENT ON COLUMN pipeline.outcomes_per_problem.step_aggregation IS 'PRM step aggregation (last, min, prod, mean, none).';
COMMENT ON COLUMN pipeline.outcomes_per_problem.problem_id IS 'Problem.';
COMMENT ON COLUMN pipeline.outcomes_per_problem.level IS 'Dataset difficulty level (MATH 1-5; NULL for GSM8K).';
COMMENT ON COLUMN pipeline.outcomes_per_problem.search_id IS 'Search the outcome comes from.';
COMMENT ON COLUMN pipeline.outcomes_per_problem.chosen_answer IS 'Answer chosen.';
COMMENT ON COLUMN pipeline.outcomes_per_problem.is_correct IS 'Chosen answer is correct.';
COMMENT ON COLUMN pipeline.outcomes_per_problem.generated_tokens IS 'Tokens generated for this outcome.';
COMMENT ON COLUMN pipeline.outcomes_per_problem.prompt_tokens IS 'Prompt tokens processed for this outcome.';
COMMENT ON COLUMN pipeline.outcomes_per_problem.flops IS 'Inference FLOPs for this outcome.';
