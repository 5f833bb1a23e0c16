import json
import os
import sys
import tempfile
import unittest
from unittest import mock

import policy_sweep


class PolicySweepTests(unittest.TestCase):
    def test_trains_one_policy_per_budget_and_measures_each_on_the_chosen_levels(self):
        with tempfile.TemporaryDirectory() as work:
            out = os.path.join(work, "sweep.json")
            argv = ["policy_sweep.py", "--work", work, "--steps", "2,3", "--levels", "3", "--per-level", "1",
                    "--samples", "2", "--examples", "200", "--batch", "2", "--out", out]
            with mock.patch.object(sys, "argv", argv), mock.patch.dict(os.environ, {"TINY_DEVICE": "cpu"}):
                policy_sweep.main()
            with open(out) as f:
                result = json.load(f)
            self.assertEqual([r["steps"] for r in result["runs"]], [2, 3])
            self.assertTrue(os.path.exists(os.path.join(work, "policy_s2.pt")))
            self.assertTrue(os.path.exists(os.path.join(work, "policy_s3.pt")))
            for run in result["runs"]:
                level = run["levels"]["3"]
                self.assertEqual(level["problems"], 1)
                self.assertEqual(level["steps"], sum(level["q_histogram"].values()))
                for key in ("predicted_one_sample", "predicted_whole_samples", "predicted_step_search"):
                    self.assertGreaterEqual(level[key], 0.0)
                    self.assertLessEqual(level[key], 1.0)
            self.assertEqual(result["examples"], 200)

    def test_pick_keeps_the_longest_budget_that_leaves_search_its_room(self):
        def run(steps, search, whole):
            return {"steps": steps, "levels": {"3": {"predicted_step_search": search, "predicted_whole_samples": whole}}}
        runs = [run(1500, 0.46, 0.32), run(2000, 0.60, 0.50), run(2500, 0.75, 0.72)]
        self.assertEqual(policy_sweep.pick(runs, 3, 0.08), 2000)
        self.assertEqual(policy_sweep.pick(runs, 3, 0.12), 1500)
        self.assertIsNone(policy_sweep.pick(runs, 3, 0.2))

    def test_pick_to_copies_the_chosen_checkpoint_and_records_the_choice(self):
        with tempfile.TemporaryDirectory() as work:
            out, to = os.path.join(work, "sweep.json"), os.path.join(work, "chosen.pt")
            argv = ["policy_sweep.py", "--work", work, "--steps", "2", "--levels", "3", "--per-level", "1",
                    "--samples", "2", "--examples", "200", "--batch", "2", "--pick-gain", "0", "--pick-to", to,
                    "--out", out]
            with mock.patch.object(sys, "argv", argv), mock.patch.dict(os.environ, {"TINY_DEVICE": "cpu"}):
                policy_sweep.main()
            with open(out) as f:
                self.assertEqual(json.load(f)["picked"], {"level": 3, "min_gain": 0.0, "steps": 2})
            with open(to, "rb") as a, open(os.path.join(work, "policy_s2.pt"), "rb") as b:
                self.assertEqual(a.read(), b.read())


if __name__ == "__main__":
    unittest.main()
