"""Unit tests of the pure parts: /usr/bin/python3 -m unittest discover -s models/tiny-arith/train -p 'test_*.py'"""
import json
import os
import random
import re
import unittest

import task
from evaluate import auroc
from step_check import corrupt, first_wrong, parse_problem, parse_step, step_labels
from train_prm import step_end_positions
from revision_transitions import transitions
from train_revision import build_examples, edit_distance, natural_examples

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
        for role in ("policy", "prm", "revision", "policy-large"):
            if role == "policy-large" and not os.path.exists(os.path.join(HERE, "..", f"{role}.manifest.json")):
                continue  # exists once make_all.py exported the issue-12 family
            with open(os.path.join(HERE, "..", f"{role}.manifest.json")) as f:
                m = json.load(f)
            self.assertEqual(m["role"], role.replace("-large", ""))
            self.assertTrue(os.path.exists(os.path.join(HERE, "..", m["onnx"])))


class MetricTests(unittest.TestCase):
    def test_edit_distance(self):
        self.assertEqual(edit_distance("kitten", "sitting"), 3)
        self.assertEqual(edit_distance("", "abc"), 3)

    def test_auroc(self):
        self.assertEqual(auroc([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0]), 1.0)
        self.assertEqual(auroc([0.1, 0.2, 0.9, 0.8], [1, 1, 0, 0]), 0.0)
        self.assertEqual(auroc([0.5, 0.5], [1, 0]), 0.5)



class StepLabelTests(unittest.TestCase):
    P = "Compute $(17+25)\\times 3-40$."

    def test_gold_solutions_are_right_at_every_step(self):
        rng = random.Random(11)
        for level in range(1, 6):
            for _ in range(200):
                p = task.make_problem(rng, level)
                self.assertTrue(all(step_labels(p["problem"], task.split_steps(p["solution"]))), p)

    def test_a_wrong_result_makes_that_step_and_all_later_ones_wrong(self):
        steps = ["17+25 = 42", "42\\times 3 = 136", "136-40 = 96", "The answer is $\\boxed{96}$."]
        self.assertEqual(step_labels(self.P, steps), [True, False, False, False])

    def test_a_miscopied_operand_or_a_wrong_final_answer_is_wrong(self):
        self.assertEqual(step_labels(self.P, ["17+26 = 43", "43\\times 3 = 129"]), [False, False])
        self.assertEqual(step_labels(self.P, ["17+25 = 42", "42\\times 3 = 126", "126-40 = 86",
                                              "The answer is $\\boxed{87}$."]), [True, True, True, False])

    def test_any_valid_evaluation_order_is_right_and_skipping_a_step_is_not(self):
        p = "Compute $(1+2)\\times (3+4)$."
        self.assertEqual(step_labels(p, ["3+4 = 7", "1+2 = 3", "3\\times 7 = 21", "The answer is $\\boxed{21}$."]),
                         [True, True, True, True])
        self.assertEqual(step_labels(p, ["1+2 = 3", "The answer is $\\boxed{21}$."]), [True, False])

    def test_negative_operands_parse(self):
        p = "Compute $5-(12-20)$."
        self.assertEqual(parse_problem(p).op, "-")
        self.assertEqual(step_labels(p, ["12-20 = -8", "5-(-8) = 13", "The answer is $\\boxed{13}$."]), [True, True, True])

    def test_unparsable_problem_is_a_clear_error(self):
        with self.assertRaisesRegex(ValueError, "not a tiny-arith problem"):
            parse_problem("What is 2+2?")

    def test_corruptions_have_one_wrong_step_and_a_wrong_answer(self):
        rng = random.Random(3)
        made, first = 0, []
        for level in range(1, 6):
            for _ in range(100):
                p = task.make_problem(rng, level)
                steps = task.split_steps(p["solution"])
                bad = corrupt(p["problem"], steps, rng)
                if bad is None:
                    continue
                made += 1
                labels = step_labels(p["problem"], bad)
                k = first_wrong(labels)
                self.assertIsNotNone(k)
                self.assertEqual(bad[:k], steps[:k])
                self.assertNotEqual(task.extract_answer(bad[-1]), p["answer"])
                for s in bad[k + 1:-1]:  # later steps compute right from the wrong value
                    a, op, b, c = parse_step(s)
                    self.assertEqual(task.apply(op, a, b), c, s)
                first.append(k)
        self.assertGreater(made, 450)
        self.assertGreater(first.count(0), len(first) / 3)  # early steps, where the policy errs


class RevisionMixTests(unittest.TestCase):
    def test_keep_examples_end_with_a_right_attempt_that_is_the_target(self):
        p = task.make_problem(random.Random(5), 3)
        gold = p["solution"] + "\n\n"
        wrong = gold.replace(p["answer"] + "}", "1" + p["answer"] + "}")
        row = dict(p, samples=[[gold, True], [wrong, True]])
        kinds = {}
        for seed in range(60):
            for prompt, target, kind, k in build_examples([row], random.Random(seed)):
                kinds[kind] = kinds.get(kind, 0) + 1
                if kind == "keep":
                    self.assertTrue(prompt.endswith("Attempt:\n" + "\n".join(target) + "\n\nRevision:\n\n"))
                    self.assertEqual(target, task.split_steps(p["solution"]))
                if kind == "fix":
                    self.assertNotIn("Attempt:\n" + "\n".join(task.split_steps(p["solution"])) + "\n\n", prompt)
                    self.assertEqual(target, task.split_steps(p["solution"]))
        self.assertEqual(set(kinds), {"zero", "fix", "keep"})

    def test_natural_examples_show_attempts_as_they_came_and_always_target_gold(self):
        p = task.make_problem(random.Random(5), 3)
        gold = p["solution"] + "\n\n"
        wrong = gold.replace(p["answer"] + "}", "1" + p["answer"] + "}")
        cut = gold[:len(gold) // 2]  # unfinished: never shown
        row = dict(p, samples=[[gold, True]] * 3 + [[wrong, True], [cut, False]])
        block = lambda text: "Attempt:\n" + "\n".join(task.split_steps(text)) + "\n\n"
        kinds, shown_right, shown = {}, 0, 0
        for seed in range(200):
            for prompt, target, kind, k in natural_examples([row], random.Random(seed), per_problem=2):
                kinds[kind] = kinds.get(kind, 0) + 1
                self.assertEqual(target, task.split_steps(p["solution"]))
                self.assertEqual(prompt.count("Attempt:\n"), k)
                self.assertLessEqual(prompt.count(block(wrong)), 1)  # drawn without replacement
                self.assertEqual(prompt.count(block(gold)) + prompt.count(block(wrong)), k)  # never the cut one
                shown_right += prompt.count(block(gold))
                shown += k
                if kind == "last_right":
                    self.assertTrue(prompt.endswith(block(gold) + "Revision:\n\n"))
        self.assertEqual(set(kinds), {"zero", "last_right", "last_wrong"})
        self.assertAlmostEqual(shown_right / shown, 0.75, delta=0.08)  # 3 of the 4 finished samples are right


class RevisionTransitionTests(unittest.TestCase):
    def test_rates_from_right_and_from_wrong_attempts_and_the_fixed_point(self):
        s = ["a"], ["b"], ["c"]
        chains = [
            (3, [(5, True, s[0]), (5, True, s[0]), (4, False, s[1])]),   # right kept word for word, then lost
            (3, [(4, False, s[1]), (5, True, s[2]), (5, True, s[0])]),   # fixed, then the same answer rewritten
            (2, [(4, False, s[1]), (4, False, s[1])]),                   # a wrong attempt copied
        ]
        t = transitions(chains)
        self.assertEqual(t["3"]["accuracy_by_attempt"], [0.5, 1.0, 0.5])
        a, b = t["all"]["a_right_after_right"], t["all"]["b_right_after_wrong"]
        self.assertEqual((a, b), (2 / 3, 1 / 2))   # right after right 2 of 3; right after wrong 1 of 2
        self.assertEqual((t["all"]["keep_after_right"], t["all"]["copy_after_right"]), (2 / 3, 1 / 3))
        self.assertEqual((t["all"]["keep_after_wrong"], t["all"]["copy_after_wrong"]), (1 / 2, 1 / 2))
        self.assertAlmostEqual(t["all"]["fixed_point"], b / (1 - a + b))
        self.assertEqual(t["all"]["steps"], 5)


if __name__ == "__main__":
    unittest.main()
