"""How often the small policy gets each step of an eval problem right when it resamples that step (issue 12: why beam
search and DVTS only tie PRM-weighted best-of-16). For every step of every problem of the given levels, after the gold
solution's earlier steps, draw K next steps at temperature T and check each (step_check.step_labels); q = the share
right. If a step's errors were independent draws, a search that resamples each step K times and keeps a right one
(a perfect step verifier) would solve a problem with probability prod_i (1 - (1 - q_i)^K), while K whole samples solve
it with 1 - (1 - prod_i q_i)^K; the gap between the two is what step-level search can win. A q near 0 or 1 (errors
the policy makes every time, or never) leaves it nothing to win.
    /usr/bin/python3 step_success.py --work ../work --levels 3,4 [--samples 16 --temperature 1.0 --out FILE.json]"""
import argparse
import math
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_all  # noqa: E402
import model as M  # noqa: E402
from common import report, seed_all  # noqa: E402
from sample import generate_ids  # noqa: E402
from step_check import step_labels  # noqa: E402
from task import decode, encode, eval_set, prompt_text, solution_text, split_steps  # noqa: E402

BINS = ((0.0, 0.0, "0"), (0.0, 0.25, "(0, 0.25]"), (0.25, 0.5, "(0.25, 0.5]"), (0.5, 0.75, "(0.5, 0.75]"),
        (0.75, 1.0, "(0.75, 1)"), (1.0, 1.0, "1"))


def bin_of(q):
    """'0' and '1' on their own; any other q in the first quarter (lo, hi] that holds it (the last one open at 1)."""
    if q in (0.0, 1.0):
        return str(int(q))
    return next(name for _, hi, name in BINS[1:-1] if q <= hi)


def predicted(qs, k):
    """(step-level search with a perfect verifier, k whole samples), for one problem's per-step q."""
    search, whole = 1.0, 1.0
    for q in qs:
        search *= 1 - (1 - q) ** k
        whole *= q
    return search, 1 - (1 - whole) ** k


def summarize(per_problem, k):
    """per_problem: list of per-step q lists. -> histogram of q over steps, mean q, and the two predictions."""
    steps = [q for qs in per_problem for q in qs]
    hist = {name: sum(1 for q in steps if bin_of(q) == name) for _, _, name in BINS}
    pred = [predicted(qs, k) for qs in per_problem]
    return {"problems": len(per_problem), "steps": len(steps), "mean_q": sum(steps) / len(steps),
            "q_histogram": hist,
            "steps_with_q_in_0.05_0.95_per_problem": sum(1 for q in steps if 0.05 <= q <= 0.95) / len(per_problem),
            "predicted_step_search": sum(p[0] for p in pred) / len(pred),
            "predicted_whole_samples": sum(p[1] for p in pred) / len(pred),
            "predicted_one_sample": sum(math.prod(qs) for qs in per_problem) / len(per_problem)}


def step_q(policy, rows, samples, temperature):
    """-> {row index: [q of each operation step]}: after the gold earlier steps, the share of `samples` draws of the
    next step at `temperature` that are right."""
    jobs = []   # (row index, the gold steps before the step drawn)
    for ri, r in enumerate(rows):
        gold = split_steps(r["solution"])[:-1]   # the operations, not the answer step
        jobs += [(ri, gold[:si]) for si in range(len(gold))]
    prompts = [encode(prompt_text(rows[ri]["problem"]), bos=True) + encode(solution_text(prefix))
               for ri, prefix in jobs for _ in range(samples)]
    with torch.no_grad():
        gen = generate_ids(policy, prompts, 64, temperature, batch_size=1024, stop_at_step=True)
    q = {}
    for j, (ri, prefix) in enumerate(jobs):
        right = 0
        for s in range(samples):
            new = split_steps(decode(gen[j * samples + s][0]))
            if new:
                right += step_labels(rows[ri]["problem"], prefix + new[:1])[-1]
        q.setdefault(ri, []).append(right / samples)
    return q


def by_level(policy, rows, levels, samples, temperature):
    """summarize() of each level's problems among rows."""
    q = step_q(policy, rows, samples, temperature)
    return {str(level): summarize([q[ri] for ri, r in enumerate(rows) if r["level"] == level], samples)
            for level in levels}


def eval_rows(levels, per_level=None):
    """The eval set's problems of these levels (its first per_level of each, all by default)."""
    rows = [r for r in eval_set(make_all.FULL["eval_seed"], make_all.FULL["eval_per_level"]) if r["level"] in levels]
    if per_level is None:
        return rows
    return [r for level in levels for r in [x for x in rows if x["level"] == level][:per_level]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.path.join(HERE, "..", "work"))
    ap.add_argument("--levels", default="3,4")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out")
    a = ap.parse_args()
    seed_all(a.seed)
    levels = [int(x) for x in a.levels.split(",")]
    policy = M.load(os.path.join(a.work, "policy.pt"), "cpu").eval()
    t0 = time.time()
    result = by_level(policy, eval_rows(levels), levels, a.samples, a.temperature)
    report({"samples": a.samples, "temperature": a.temperature, "seconds": round(time.time() - t0, 1),
            "levels": result}, a.out)


if __name__ == "__main__":
    main()
