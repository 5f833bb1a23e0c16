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


if __name__ == "__main__":
    unittest.main()
