"""Unit tests of the pure parts: /usr/bin/python3 -m unittest discover -s models/tiny-arith/train -p 'test_*.py'"""
import json
import os
import random
import re
import unittest

import task
from evaluate import auroc
from train_prm import first_arithmetic_error, parse_step, perturb_solution, step_end_positions
from train_revision import edit_distance

HERE = os.path.dirname(os.path.abspath(__file__))


def evaluate_latex(expr):
    return eval(expr.replace("\\times ", "*").replace("\\div ", "//"))  # exact division only


class TaskTests(unittest.TestCase):
    def test_solutions_are_right_and_one_operation_per_step(self):
        rng = random.Random(7)
        for level in range(1, 6):
            for _ in range(300):
                p = task.make_problem(rng, level)
                expr = re.fullmatch(r"Compute \$(.*)\$\.", p["problem"]).group(1)
                self.assertEqual(str(evaluate_latex(expr)), p["answer"], p["problem"])
                steps = task.split_steps(p["solution"])
                self.assertEqual(len(steps), level + 1)
                self.assertEqual(steps[-1], f"The answer is $\\boxed{{{p['answer']}}}$.")
                for s in steps[:-1]:
                    lhs, rhs = s.split(" = ")
                    self.assertEqual(evaluate_latex(lhs), int(rhs), s)
                    self.assertNotIn("\n", s)

    def test_tokenizer_is_byte_identity_with_gpt2_symbols(self):
        vocab = task.vocab_json()
        self.assertEqual(len(vocab), 257)
        self.assertEqual(vocab["<|endoftext|>"], 256)
        self.assertEqual(vocab["Ġ"], 32)  # GPT-2's symbol for the space byte
        self.assertEqual(vocab["Ċ"], 10)  # and for "\n"
        text = "Compute $(17+25)\\times 3-40$.\n\n"
        ids = task.encode(text, bos=True)
        self.assertEqual(ids[0], 256)
        self.assertEqual(ids[1:], list(text.encode()))
        self.assertEqual(task.decode(ids), text)

    def test_revision_prompt_layout(self):
        p = task.revision_prompt("Compute $1+2$.", [["1+2 = 4", "The answer is $\\boxed{4}$."]])
        self.assertEqual(p, "Compute $1+2$.\n\nAttempt:\n1+2 = 4\nThe answer is $\\boxed{4}$.\n\nRevision:\n\n")
        many = task.revision_prompt("Q", [[str(i)] for i in range(6)])
        self.assertEqual(many.count("Attempt:"), 4)
        self.assertIn("Attempt:\n5\n\n", many)
        self.assertNotIn("Attempt:\n1\n\n", many)

    def test_grading_takes_the_last_boxed_integer(self):
        self.assertTrue(task.is_correct("x $\\boxed{3}$ y $\\boxed{-12}$.", "-12"))
        self.assertFalse(task.is_correct("no answer", "1"))

    def test_step_end_positions_point_at_the_second_newline(self):
        prompt = task.encode("Compute $1+2$.\n\n", bos=True)
        steps = ["1+2 = 3", "The answer is $\\boxed{3}$."]
        ids = prompt + task.encode(task.solution_text(steps))
        ends = step_end_positions(len(prompt), steps)
        self.assertEqual(ends[-1], len(ids) - 1)
        for e in ends:
            self.assertEqual(ids[e - 1:e + 1], [10, 10])

    def test_eval_set_shipped_matches_the_generator(self):
        path = os.path.join(HERE, "..", "eval.jsonl")
        rows = task.read_jsonl(path)
        self.assertEqual(len(rows), 500)
        self.assertEqual([r["level"] for r in rows].count(3), 100)
        regenerated = task.eval_set(20240806, 100)
        self.assertEqual([r["problem"] for r in rows], [r["problem"] for r in regenerated])
        self.assertEqual(set(rows[0]), {"problem", "solution", "answer", "subject", "level", "unique_id"})
        self.assertEqual(rows[0]["unique_id"], "tiny-arith/L1/0000")

    def test_manifests_name_existing_files(self):
        for role in ("policy", "prm", "revision"):
            with open(os.path.join(HERE, "..", f"{role}.manifest.json")) as f:
                m = json.load(f)
            self.assertEqual(m["role"], role)
            self.assertTrue(os.path.exists(os.path.join(HERE, "..", m["onnx"])))


class MetricTests(unittest.TestCase):
    def test_edit_distance(self):
        self.assertEqual(edit_distance("kitten", "sitting"), 3)
        self.assertEqual(edit_distance("", "abc"), 3)

    def test_auroc(self):
        self.assertEqual(auroc([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0]), 1.0)
        self.assertEqual(auroc([0.1, 0.2, 0.9, 0.8], [1, 1, 0, 0]), 0.0)
        self.assertEqual(auroc([0.5, 0.5], [1, 0]), 0.5)



class PerturbationTests(unittest.TestCase):
    def test_perturbed_twin_is_wrong_from_its_first_bad_step_and_consistent_after(self):
        rng = random.Random(3)
        made = 0
        for level in range(1, 6):
            for _ in range(100):
                p = task.make_problem(rng, level)
                steps = task.split_steps(p["solution"])
                self.assertIsNone(first_arithmetic_error(steps))
                r = perturb_solution(steps, rng)
                if r is None:
                    continue
                made += 1
                twin, k = r
                self.assertEqual(len(twin), len(steps))
                self.assertEqual(twin[:k], steps[:k])
                self.assertNotEqual(twin[k], steps[k])
                self.assertNotEqual(task.extract_answer(twin[-1]), p["answer"])
                for s in twin[k + 1:-1]:  # later steps carry the wrong value on with right arithmetic
                    self.assertIsNone(first_arithmetic_error([s]), s)
                self.assertIsNotNone(parse_step(twin[k]))
        self.assertGreater(made, 450)

    def test_first_arithmetic_error_finds_the_wrong_result(self):
        self.assertEqual(first_arithmetic_error(["17+25 = 42", "42\\times 3 = 136", "136-40 = 96"]), 1)
        self.assertEqual(first_arithmetic_error(["5-(-3) = 8", "The answer is $\\boxed{8}$."]), None)


if __name__ == "__main__":
    unittest.main()
