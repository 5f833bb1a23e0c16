import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class LevelVariantTests(unittest.TestCase):
    def test_rows_have_the_ops_the_label_and_are_not_eval_problems(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "v.jsonl")
            subprocess.run([sys.executable, os.path.join(HERE, "level_variant.py"), "--ops", "3", "--ranges-of", "4",
                            "--label", "3", "--count", "40", "--name", "t", "--out", out], check=True, capture_output=True)
            rows = [json.loads(line) for line in open(out)]
        with open(os.path.join(HERE, "..", "eval.jsonl")) as f:
            taken = {json.loads(line)["problem"] for line in f}
        self.assertEqual(len(rows), 40)
        self.assertEqual({r["level"] for r in rows}, {3})
        self.assertEqual(len({r["problem"] for r in rows}), 40)
        self.assertFalse(taken & {r["problem"] for r in rows})
        # three operations: three steps and the answer step (a division with no small divisor becomes a subtraction)
        self.assertEqual({len(r["solution"].split("\n\n")) for r in rows}, {4})
        # level 4's ranges: some leaf above level 3's add_max of 300 (the first number of the problem is a leaf)
        self.assertTrue(any(int(n) > 300 for r in rows for n in re.findall(r"\d+", r["problem"])))
        self.assertEqual(rows[0]["unique_id"], "t/L3/0000")


if __name__ == "__main__":
    unittest.main()
