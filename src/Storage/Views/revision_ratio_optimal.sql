-- The compute-optimal sequential/parallel ratio per bin and budget: in-sample (chosen and scored on the same
-- problems, like compute_optimal_by_level), ties to the shorter chain and then names in byte order, as
-- Pipeline.Search.Analysis.ComputeMath.SelectRatio. The most parallel and most sequential chain lengths'
-- best accuracies stand beside it.
CREATE VIEW pipeline.revision_ratio_optimal AS
WITH candidates AS (
    SELECT a.*,
           row_number() OVER (PARTITION BY run_id, bin_kind, bin, budget_n
                              ORDER BY accuracy DESC, chain_length, aggregator COLLATE "C",
                                       step_aggregation COLLATE "C", strategy_label COLLATE "C") AS rank,
           min(chain_length) OVER (PARTITION BY run_id, bin_kind, bin, budget_n) AS parallel_chain_length,
           max(chain_length) OVER (PARTITION BY run_id, bin_kind, bin, budget_n) AS sequential_chain_length
    FROM pipeline.accuracy_by_revision_ratio a
    WHERE aggregator <> 'pass'),
ends AS (
    SELECT run_id, bin_kind, bin, budget_n,
           max(accuracy) FILTER (WHERE chain_length = parallel_chain_length) AS parallel_accuracy,
           max(accuracy) FILTER (WHERE chain_length = sequential_chain_length) AS sequential_accuracy
    FROM candidates GROUP BY run_id, bin_kind, bin, budget_n)
SELECT c.run_id, c.bin_kind, c.bin, c.budget_n, c.strategy_label, c.chain_length, c.parallel_chains, c.seq_parallel_ratio,
       c.aggregator, c.step_aggregation, c.problems, c.correct, c.accuracy,
       c.parallel_chain_length, e.parallel_accuracy, c.sequential_chain_length, e.sequential_accuracy
FROM candidates c
JOIN ends e ON e.run_id = c.run_id AND e.bin_kind = c.bin_kind AND e.bin = c.bin AND e.budget_n = c.budget_n
WHERE c.rank = 1;

COMMENT ON VIEW pipeline.revision_ratio_optimal IS 'Per run, bin and budget N: the revisions chain length (sequential/parallel ratio) of highest accuracy (in-sample; ties to the shorter chain, then names; pass@n excluded), with the most parallel and most sequential chain lengths'' best accuracies.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.run_id IS 'Run.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.bin_kind IS '''all'', ''oracle'' or ''predicted''.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.bin IS 'Difficulty bin 1 (easiest) to 5; 0 with bin_kind ''all''.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.budget_n IS 'Generation budget N.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.strategy_label IS 'The chosen revisions config.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.chain_length IS 'Chosen chain length L.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.parallel_chains IS 'Its parallel chains N / L.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.seq_parallel_ratio IS 'Its sequential/parallel ratio L / (N / L).';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.aggregator IS 'Its answer aggregator.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.step_aggregation IS 'Its PRM step aggregation.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.problems IS 'Problems in the bin with an outcome.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.correct IS 'Problems the chosen config answered correctly.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.accuracy IS 'Accuracy of the chosen config, in [0,1].';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.parallel_chain_length IS 'Shortest chain length run at this budget (most parallel).';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.parallel_accuracy IS 'Best accuracy at the shortest chain length.';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.sequential_chain_length IS 'Longest chain length run at this budget (most sequential).';
COMMENT ON COLUMN pipeline.revision_ratio_optimal.sequential_accuracy IS 'Best accuracy at the longest chain length.';
