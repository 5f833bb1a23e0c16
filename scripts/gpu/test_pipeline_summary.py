"""Unit tests of pipeline_summary.py's PRM baseline shape: /usr/bin/python3 -m unittest discover -s scripts/gpu -p 'test_*.py'"""
import json
import os
import tempfile
import unittest

from pipeline_summary import markdown, prm_shape, spec_beam_width, summarize

# the H200 run of docs/gpu.md (WORKERS=combined): best-of-16 and beam search N=16, M=4 over 100 problems
BON16_DB = {"generated_tokens": 637791, "steps": 1600, "first_prompt_tokens": 451.41}
BON16_V = {"items": 1600, "rounds": 100, "rounds_per_batch_median": 16, "work": 1600}
BEAM16_DB = {"generated_tokens": 639666, "steps": 16000, "first_prompt_tokens": 451.41}
BEAM16_V = {"items": 16000, "rounds": 1000, "rounds_per_batch_median": 16, "work": 88000}


class PrmShapeTests(unittest.TestCase):
    def test_best_of_n_shares_only_the_problem(self):
        self.assertEqual(prm_shape(BON16_V, BON16_DB, None),
                         {"searches": 16, "candidates": 16, "width": 1, "depth": 0, "step_tokens": 399, "problem_tokens": 451})

    def test_beam_search_has_its_width_and_the_mean_depth(self):
        # 5.5 scored steps a sequence (rounds 0..9 score 1..10 steps): 4.5 earlier steps, rounded up
        s = prm_shape(BEAM16_V, BEAM16_DB, "4")
        self.assertEqual((s["searches"], s["candidates"], s["width"], s["depth"], s["step_tokens"]), (16, 16, 4, 5, 40))
        self.assertEqual(prm_shape(dict(BEAM16_V, work=16000 * 5.4), BEAM16_DB, "4")["depth"], 4)

    def test_sqrt_width_is_the_divisor_nearest_sqrt_n(self):
        # StrategyConfig.EffectiveBeamWidth: N=16 gives 4, N=8 gives 2, N=32 gives 4, N=2 gives 1
        for n, m in ((16, 4), (8, 2), (32, 4), (2, 1)):
            self.assertEqual(prm_shape(dict(BEAM16_V, items=n * 1000), BEAM16_DB, "sqrt")["width"], m)

    def test_candidates_are_whole_beams(self):
        s = prm_shape(dict(BEAM16_V, items=15000), BEAM16_DB, "4")   # 15 a round
        self.assertEqual((s["candidates"], s["width"]), (16, 4))

    def test_beam_width_from_the_spec_not_its_comments(self):
        with tempfile.TemporaryDirectory() as d:
            beam, bon = os.path.join(d, "beam.yaml"), os.path.join(d, "bon.yaml")
            with open(beam, "w") as f:
                f.write("# beam_width: 8 in a comment\nstrategies:\n  - { kind: beam, beam_width: 4, budgets: [16], max_rounds: 10 }\n")
            with open(bon, "w") as f:
                f.write("# unlike beam*.yaml (beam_width: 4)\nstrategies:\n  - { kind: best_of_n, budgets: [16] }\n")
            self.assertEqual(spec_beam_width(beam), "4")
            self.assertIsNone(spec_beam_width(bon))
            self.assertIsNone(spec_beam_width(os.path.join(d, "missing.yaml")))


class SummarizeTests(unittest.TestCase):
    def test_prm_alone_is_scored_steps_over_the_tree_cases_rate(self):
        with tempfile.TemporaryDirectory() as w:
            run, base = os.path.join(w, "runs", "beam16"), os.path.join(w, "baseline", "beam16")
            for p in (run, os.path.join(base, "prm"), os.path.join(w, "specs")):
                os.makedirs(p)
            cols = "submitted|first_start|last_round|searches|rounds|candidates|generated_tokens|steps|max_new_tokens|first_prompt_tokens"
            files = {
                os.path.join(run, "meta.txt"): "name=beam16\nfinished=1\nt_submit=0\nt_done=0\n",
                os.path.join(run, "db-columns.txt"): cols + "\n",
                os.path.join(run, "db.txt"): "1000|1001|1100|16|160|2560|100000|14080|40|451.4\n",
                # 10 batches of 16 rounds (256 sequences, 5.5 steps each) in 500 ms
                os.path.join(run, "verifier-worker.log"): "scored 16 rounds: 256 sequences, 1408 steps in 500 ms (queued 5 ms mean, 9 ms max)\n" * 10,
                os.path.join(run, "proposal-worker.log"): "expanded 16 rounds: 256 candidates, 10000 tokens in 900 ms (queued 3 ms mean, 9 ms max)\n" * 10,
                os.path.join(w, "specs", "beam16.yaml"): "strategies:\n  - { kind: beam, beam_width: 4, budgets: [16] }\n",
                os.path.join(base, "bench.json"): json.dumps({"rows": [{"batch": 256, "new_tokens": 40, "tokens_per_s": 10000}]}),
            }
            for path, text in files.items():
                with open(path, "w") as f:
                    f.write(text)
            r = summarize(w, "beam16", [])
            with open(os.path.join(run, "prm-baseline-args.txt")) as f:
                self.assertEqual(f.read(), "16,16,4,5 7 451\n")
            self.assertNotIn("prm_alone_s", r)   # no PRM baseline yet
            row = {"case": "s16-n16-m4-d5", "searches": 16, "candidates_per_search": 16, "width": 4, "depth": 5, "problem_tokens": 451,
                   "step_tokens": 7, "candidates": 256, "prefilled_tokens": 23440, "scored_steps": 1536, "steps_per_s": 2816.0}
            with open(os.path.join(base, "prm", "prm-round.json"), "w") as f:
                json.dump({"rows": [row]}, f)
            r = summarize(w, "beam16", [])
            self.assertAlmostEqual(r["prm_alone_s"], 14080 / 2816)                      # 5 s
            self.assertAlmostEqual(r["engines_alone_s"], 100000 / 10000 + 5)           # 15 s
            self.assertAlmostEqual(r["efficiency_vs_engines"], 15 / 100)               # wall 1000 -> 1100
            self.assertAlmostEqual(r["policy_alone_s"], 10)
            self.assertAlmostEqual(r["efficiency_ceiling"], 1.0)                        # the policy is the slower engine
            row["steps_per_s"] = 704.0                                                 # a PRM 4x slower: 20 s
            with open(os.path.join(base, "prm", "prm-round.json"), "w") as f:
                json.dump({"rows": [row]}, f)
            r = summarize(w, "beam16", [])
            self.assertAlmostEqual(r["efficiency_ceiling"], 10 / 20)
            self.assertIn("beam16 50% (policy 10.0 s, PRM 20.0 s)", markdown([r], []))
            self.assertEqual(r["prm_baseline"]["case"], "s16-n16-m4-d5")


class BothBusyTests(unittest.TestCase):
    # a policy batch 10:00:00-10:00:09.5, the PRM's of it 10:00:09.5-10:00:18.6 (taking turns), then a policy batch
    # 10:00:14-10:00:20 that runs while the PRM does (4.6 s together)
    PROPOSAL = [
        "10:00:09.500 info: Pipeline.ProposalWorker.ExpandRoundConsumer[0] expanded 5 rounds: 1280 candidates, 51200 tokens in 9500 ms (queued 40 ms mean, 50 ms max)",
        "10:00:20.000 info: Pipeline.ProposalWorker.ExpandRoundConsumer[0] expanded 5 rounds: 1280 candidates, 51200 tokens in 6000 ms (queued 40 ms mean, 50 ms max)",
    ]
    VERIFIER = [
        "10:00:18.600 info: Pipeline.VerifierWorker.ScoreRoundConsumer[0] scored 5 rounds: 1280 sequences, 1280 steps in 9100 ms (queued 40 ms mean, 50 ms max)",
        "10:00:18.700 info: Pipeline.VerifierWorker.OnnxStepScorer[0] PRM prefill so far: 1 tokens run, 0 tokens from prefixes kept across calls (0 hits; 0 prefixes, 0.00 GiB kept now; 0 evicted)",
    ]

    def test_batches_that_take_turns_do_not_count_and_overlapping_ones_do(self):
        from pipeline_summary import EXPAND, SCORE, busy_intervals, overlap_s
        p, v = busy_intervals(self.PROPOSAL, EXPAND), busy_intervals(self.VERIFIER, SCORE)
        self.assertEqual(len(p), 2)
        self.assertEqual(len(v), 1)
        self.assertAlmostEqual(p[0][0], 36000.0)
        self.assertAlmostEqual(overlap_s(p, v), 4.6)
        self.assertAlmostEqual(overlap_s(v, p), 4.6)
        self.assertEqual(overlap_s(p[:1], v), 0.0)

    def test_idle_is_the_time_no_batch_of_either_runs(self):
        from pipeline_summary import EXPAND, SCORE, busy_intervals, idle_s
        p, v = busy_intervals(self.PROPOSAL, EXPAND), busy_intervals(self.VERIFIER, SCORE)
        # 0-9.5 s policy, 9.5-18.6 s PRM, 14-20 s policy: one after the other with no gap
        self.assertAlmostEqual(idle_s(p, v), 0.0)
        late = [x.replace("in 9100 ms", "in 2000 ms").replace("10:00:18.600", "10:00:11.500") for x in self.VERIFIER]
        # policy 0-9.5, PRM 9.5-11.5, policy 14-20: idle 11.5-14
        self.assertAlmostEqual(idle_s(p, busy_intervals(late, SCORE)), 2.5)
        self.assertAlmostEqual(idle_s(p, []), 4.5)
        self.assertEqual(idle_s([], []), 0.0)

    def test_retried_batches_per_queue_and_capture_conflicts(self):
        from pipeline_summary import retries
        lines = [
            "10:09:24.592 warn: MassTransit[0] R-RETRY rabbitmq://127.0.0.1/run-1/score-round b52c MassTransit.RetryPolicies."
            "RetryConsumeContext<MassTransit.Batch<Pipeline.Contracts.ScoreRound>> Pipeline.Inference.CudaRuntimeException: "
            "cudaStreamSynchronize failed: CUDA error 900 (operation not permitted when stream is capturing)",
            "10:09:24.592 warn: MassTransit[0] R-RETRY rabbitmq://127.0.0.1/run-1/expand-round b42c MassTransit.RetryPolicies."
            "RetryConsumeContext<MassTransit.Batch<Pipeline.Contracts.ExpandRound>> OnnxRuntimeException: CUDA failure 901: "
            "operation failed due to a previous error during capture",
            "10:10:00.000 warn: MassTransit[0] R-RETRY rabbitmq://127.0.0.1/run-1/expand-round b42d ... CUDA failure 2: out of memory",
            self.PROPOSAL[0],
        ]
        self.assertEqual(retries(lines), {"expand-round": 2, "score-round": 1, "capture_conflicts": 2})

    def test_a_batch_past_midnight_is_the_next_day(self):
        from pipeline_summary import EXPAND, busy_intervals
        lines = [x.replace("10:00:09.500", "23:59:59.000").replace("10:00:20.000", "00:00:05.000") for x in self.PROPOSAL]
        p = busy_intervals(lines, EXPAND)
        self.assertAlmostEqual(p[1][1] - p[0][1], 6.0)



if __name__ == "__main__":
    unittest.main()


class PrmPrefillTests(unittest.TestCase):
    # lines as OnnxStepScorer and ScoreRoundConsumer log them (m7's beam N=256, docs/gpu-results/pipeline3)
    LOG = (
        "00:45:35.706 info: Pipeline.VerifierWorker.OnnxStepScorer[0] PRM prefill so far: 2800000 tokens run, 166603 tokens "
        "from prefixes kept across calls (517 hits; 300 prefixes, 7.00 GiB kept now; 0 evicted)\n"
        "00:45:35.707 info: Pipeline.VerifierWorker.ScoreRoundConsumer[0] scored 10 rounds: 2560 sequences, 2560 steps in 9324 ms (queued 5 ms mean, 9 ms max)\n"
        "00:45:57.121 info: Pipeline.VerifierWorker.OnnxStepScorer[0] PRM prefill so far: 3084128 tokens run, 332951 tokens "
        "from prefixes kept across calls (1034 hits; 323 prefixes, 7.47 GiB kept now; 2 evicted)\n"
        "00:45:57.146 info: Pipeline.VerifierWorker.ScoreRoundConsumer[0] scored 10 rounds: 2560 sequences, 5120 steps in 12171 ms (queued 5 ms mean, 9 ms max)\n"
        "00:46:19.470 info: Pipeline.VerifierWorker.OnnxStepScorer[0] PRM prefill so far: 3420602 tokens run, 507113 tokens "
        "from prefixes kept across calls (1741 hits; 616 prefixes, 15.93 GiB kept now; 2 evicted; 3 not kept, arena full)\n"
        "00:46:19.480 info: Pipeline.VerifierWorker.ScoreRoundConsumer[0] scored 10 rounds: 2560 sequences, 7680 steps in 13154 ms (queued 5 ms mean, 9 ms max)\n"
    )

    def test_the_deltas_after_the_first_batch_per_sequence_of_those_batches(self):
        from pipeline_summary import PREFILL, SCORE, parse, prm_prefill
        # the first two lines as logged before the "not kept" count existed (m7), the last with it
        q = prm_prefill(parse(self.LOG.splitlines(), PREFILL), parse(self.LOG.splitlines(), SCORE))
        self.assertEqual((q["batches"], q["sequences"]), (2, 5120))
        self.assertEqual((q["tokens_run"], q["tokens_kept"]), (620602, 340510))
        self.assertAlmostEqual(q["run_per_sequence"], 620602 / 5120)
        self.assertAlmostEqual(q["kept_share"], 340510 / (620602 + 340510))
        self.assertEqual((q["kept_gib_max"], q["evicted"], q["not_kept"]), (15.93, 2, 3))
        self.assertIsNone(q["copied_gib_per_batch"])   # not logged then

    def test_copies_per_batch_from_the_running_total(self):
        from pipeline_summary import PREFILL, SCORE, parse, prm_prefill
        log = [self.LOG.splitlines()[1], self.LOG.splitlines()[3]] + [
            f"00:47:0{i}.000 info: Pipeline.VerifierWorker.OnnxStepScorer[0] PRM prefill so far: {1000 * (i + 1)} tokens run, 0 tokens "
            f"from prefixes kept across calls (0 hits; 1 prefixes, 0.10 GiB kept now; 0 evicted; 0 not kept, arena full; "
            f"{12.5 * (i + 1):.1f} GiB copied into pasts and kept prefixes)" for i in range(3)]
        q = prm_prefill(parse(log, PREFILL), parse(log, SCORE))
        self.assertAlmostEqual(q["copied_gib_per_batch"], 12.5)

    def test_none_without_two_totals(self):
        from pipeline_summary import prm_prefill
        self.assertIsNone(prm_prefill([(1, 2, 3, 4, 0.5, 0)], [(1, 256, 256, 10, 1, 1)]))