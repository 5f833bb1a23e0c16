"""Why the revision model's accuracy falls along a chain (issue 12): the chain's per-attempt accuracy as transitions.

Samples revision chains as evaluate.py does (attempt 0 from the policy, then revisions, each seeing the chain's
earlier attempts, T=1) and counts, over every step from attempt d-1 to d:
  a = P(right | previous right), b = P(right | previous wrong),
  keep = P(same answer as the previous attempt) and copy = P(the same steps, word for word), split by whether the
  previous attempt was right.
--fresh draws every attempt from the policy alone, without the chain in context: the same transitions for
independent samples, whose accuracy cannot fall along a "chain" (a and b there only say how a right or wrong first
attempt predicts the next on the same problem: problems are easy or hard). --fresh --fresh-model revision draws
attempts 1.. from the revision model with no attempt in context (its "zero" layout): parallel samples of the revision
model itself, which tells a chain that gains from revising apart from a revision model that is only a better solver.
With these constant, the accuracy along a chain goes to the fixed point b / (1 - a + b). A model that cannot tell a
right attempt from a wrong one keeps both at the same rate q; then a = q + (1 - q) s and b = (1 - q) s', where s and
s' are the accuracies of its changed answers, and when s = s' the fixed point is s whatever q is: a chain can only
hold its first accuracy if a rewrite is as accurate as a fresh attempt.

    /usr/bin/python3 from_onnx.py --models ../ --work ../work policy revision
    /usr/bin/python3 revision_transitions.py --work ../work --levels 2,3 --chains 4 --depth 4
"""
import argparse
import os
import sys
import time
from collections import defaultdict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_all  # noqa: E402
import model as M  # noqa: E402
from common import device, report, seed_all  # noqa: E402
from evaluate import revision_chains  # noqa: E402
from sample import generate_ids  # noqa: E402
from task import encode, eval_set, prompt_text, revision_prompt  # noqa: E402


def transitions(chains):
    """chains: per chain, (level, [(answer, right, steps) per attempt]). -> per level (and 'all'): counts and rates."""
    c = defaultdict(lambda: defaultdict(int))
    for level, attempts in chains:
        for key in (level, "all"):
            for d, (ans, ok, steps) in enumerate(attempts):
                c[key][f"right_{d}"] += ok
                c[key][f"n_{d}"] += 1
                if d == 0:
                    continue
                prev_ans, prev_ok, prev_steps = attempts[d - 1]
                tag = "from_right" if prev_ok else "from_wrong"
                c[key][f"{tag}"] += 1
                c[key][f"{tag}_right"] += ok
                c[key][f"{tag}_kept"] += ans is not None and ans == prev_ans
                c[key][f"{tag}_copied"] += steps == prev_steps
    out = {}
    for key, k in c.items():
        r = lambda num, den: k[num] / k[den] if k[den] else None  # noqa: E731
        a, b = r("from_right_right", "from_right"), r("from_wrong_right", "from_wrong")
        out[str(key)] = {
            "accuracy_by_attempt": [k[f"right_{d}"] / k[f"n_{d}"] for d in range(len([x for x in k if x.startswith("n_")]))],
            "a_right_after_right": a, "b_right_after_wrong": b,
            "keep_after_right": r("from_right_kept", "from_right"), "keep_after_wrong": r("from_wrong_kept", "from_wrong"),
            "copy_after_right": r("from_right_copied", "from_right"), "copy_after_wrong": r("from_wrong_copied", "from_wrong"),
            "fixed_point": b / (1 - a + b) if a is not None and b is not None and (1 - a + b) > 0 else None,
            "steps": k["from_right"] + k["from_wrong"]}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--levels", default="2,3")
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--fresh", action="store_true", help="every attempt from the policy, nothing in context")
    ap.add_argument("--fresh-model", choices=("policy", "revision"), default="policy",
                    help="with --fresh: which model draws attempts 1.. (revision: its zero-attempt layout)")
    ap.add_argument("--temperature", type=float, help="the revisions' sampling temperature (default: the recipe's, 1.0)")
    ap.add_argument("--out", help="write the table as JSON here")
    a = ap.parse_args()
    hp = make_all.hyperparameters(False)
    seed_all(a.seed)
    levels = {int(x) for x in a.levels.split(",")}
    rows = [r for r in eval_set(hp["eval_seed"], hp["eval_per_level"]) if r["level"] in levels]
    policy = M.load(os.path.join(a.work, "policy.pt"), device())
    revision = M.load(os.path.join(a.work, "revision.pt"), device())
    t0 = time.time()
    n, bs = len(rows) * a.chains, 256
    hp = {**hp, "gen_batch": bs}
    if a.temperature is not None:
        hp["rev_eval_temperature"] = a.temperature
    prompts = [encode(prompt_text(rows[i // a.chains]["problem"]), bos=True) for i in range(n)]
    with torch.no_grad():
        first = generate_ids(policy, prompts, hp["max_new"], 1.0, batch_size=bs)
        if a.fresh and a.fresh_model == "revision":
            alone = [encode(revision_prompt(rows[i // a.chains]["problem"], []), bos=True) for i in range(n)]
            fresh = lambda _: generate_ids(revision, alone, hp["max_new"], hp["rev_eval_temperature"], batch_size=bs)  # noqa: E731
        elif a.fresh:
            fresh = lambda _: generate_ids(policy, prompts, hp["max_new"], 1.0, batch_size=bs)  # noqa: E731
        else:
            fresh = None
        history, answers = revision_chains(revision, rows, a.chains, a.depth, first, hp, fresh)
    chains = [(rows[i // a.chains]["level"], [(ans, ans == rows[i // a.chains]["answer"], st) for ans, st in zip(answers[i], history[i])])
              for i in range(n)]
    table = transitions(chains)
    table["seconds"] = time.time() - t0
    report(table, a.out)


if __name__ == "__main__":
    main()
