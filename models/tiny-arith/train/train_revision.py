"""Revision model: the small policy fine-tuned on [problem, earlier attempts, target solution], the
attempts being the small policy's own samples at T=1 (policy_samples.py). Two recipes (hp rev_recipe):

  natural: per problem, rev_per_problem examples; each shows k earlier attempts drawn
    without replacement from the problem's samples as they came (right and wrong in the proportion
    the policy produces them; k = 0 with probability p_zero, else 1-4 uniformly) and the target is
    the gold solution. A right attempt is nearly always the gold text, so when the last attempt is
    right the target keeps it; when attempts disagree the target says which of their values is right.
    The model learns P(gold | problem, attempts) under the mix a chain actually shows it, so it keeps
    what it cannot improve on and changes an attempt only where its own computation and the other
    attempts speak against it.
  keepfix (the default, and the recipe of the shipped model):
    - p_zero: no attempt, target the gold solution (plain solving);
    - "fix" (the paper's recipe): 1-4 distinct wrong attempts, the one closest to the gold solution
      (character edit distance) last, target the gold solution;
    - "keep": 0-3 attempts drawn from all of the problem's samples, then a right attempt last, target
      that same attempt. A problem with both right and wrong samples is "keep" with probability p_keep.
    Measured through the pipeline (MODEL_CARD.md, 2026-12-01): a chain kept a right attempt 84% of the
    time but fixed a wrong one only 22% of the time (a fresh sample is right 66% of the time on level
    3), so accuracy fell along a chain: half the examples say "move away from what you are shown"
    although most attempts a chain shows are right. The natural recipe, measured by the quick estimates
    (2026-12-02), fell faster still (MODEL_CARD.md), so keepfix stays the default.
Prompt layout: task.revision_prompt (docs/model-format.md)."""
import os
import random

import model as M
from common import TokenStore, device, fit, lm_loss, seed_all
from step_check import step_labels
from task import encode, revision_prompt, solution_text, split_steps
from train_prm import complete_steps


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def finished_attempts(r):
    """The problem's finished samples as step lists, with whether each is right (by its steps)."""
    out = []
    for text, ended in r["samples"]:
        steps = complete_steps(text, ended)
        if steps and ended:  # an unfinished sample (cut at max_new) is no attempt to show
            out.append((steps, all(step_labels(r["problem"], steps))))
    return out


def natural_examples(rows, rng, max_attempts=4, p_zero=0.15, per_problem=2):
    """The natural recipe (module docstring). kind: 'zero', 'last_right' or 'last_wrong' (for the counts)."""
    out = []
    for r in rows:
        gold = split_steps(r["solution"])
        every = finished_attempts(r)
        for _ in range(per_problem):
            if rng.random() < p_zero or not every:
                out.append((revision_prompt(r["problem"], [], max_attempts), gold, "zero", 0))
                continue
            shown = rng.sample(every, rng.randint(1, min(max_attempts, len(every))))
            kind = "last_right" if shown[-1][1] else "last_wrong"
            out.append((revision_prompt(r["problem"], [s for s, _ in shown], max_attempts), gold, kind, len(shown)))
    return out


def build_examples(rows, rng, max_attempts=4, p_zero=0.15, p_keep=0.5):
    """The keepfix recipe. rows: policy_samples' rows. -> list of (prompt text, target steps, kind, number of attempts)."""
    out = []
    for r in rows:
        gold = split_steps(r["solution"])
        right, wrong, seen, every = [], [], set(), []
        for steps, ok in finished_attempts(r):  # ok: right answer by right steps
            every.append(steps)
            key = "\n".join(steps)
            if ok:
                right.append(steps)
            elif key not in seen:
                seen.add(key)
                wrong.append(steps)
        if rng.random() < p_zero or not every:
            out.append((revision_prompt(r["problem"], [], max_attempts), gold, "zero", 0))
            continue
        keep = bool(right) and (not wrong or rng.random() < p_keep)
        if keep:
            last = rng.choice(right)
            earlier = [rng.choice(every) for _ in range(rng.randint(0, max_attempts - 1))]
            out.append((revision_prompt(r["problem"], earlier + [last], max_attempts), last, "keep", len(earlier) + 1))
        else:
            k = rng.randint(1, min(max_attempts, len(wrong)))
            chosen = rng.sample(wrong, k)
            if k > 1:
                gold_text = "\n".join(gold)
                closest = min(range(k), key=lambda j: edit_distance("\n".join(chosen[j]), gold_text))
                chosen.append(chosen.pop(closest))
            out.append((revision_prompt(r["problem"], chosen, max_attempts), gold, "fix", k))
    return out


def train_revision(work, policy, rows, hp, seed=3):
    seed_all(seed)
    rng = random.Random(seed)
    if hp["rev_recipe"] == "natural":
        examples = natural_examples(rows, rng, p_zero=hp["rev_p_zero"], per_problem=hp["rev_per_problem"])
    elif hp["rev_recipe"] == "keepfix":
        examples = build_examples(rows, rng, p_zero=hp["rev_p_zero"], p_keep=hp["rev_p_keep"])
    else:
        raise SystemExit(f"TINY_REV_RECIPE={hp['rev_recipe']!r}: expected natural or keepfix")
    kinds = sorted({e[2] for e in examples})
    counts = {kind: [sum(1 for e in examples if e[2] == kind and e[3] == k) for k in range(5)] for kind in kinds}
    print(f"[revision] {len(examples)} examples; by kind and number of attempts 0..4: {counts}", flush=True)
    seqs, starts, too_long = [], [], 0
    for prompt, target, _, _ in examples:
        ids = encode(prompt, bos=True)
        seq = ids + encode(solution_text(target), eos=True)
        if len(seq) > policy.config.max_positions:
            too_long += 1
            continue
        seqs.append(seq)
        starts.append(len(ids))
    if too_long:
        print(f"[revision] {too_long} examples longer than {policy.config.max_positions} tokens left out", flush=True)
    store = TokenStore(seqs, starts, device())
    rev = M.GPT(policy.config).to(device())
    rev.load_state_dict(policy.state_dict())
    secs = fit(rev, lm_loss(store), len(store), hp["rev_steps"], hp["rev_batch"], hp["rev_lr"], "revision")
    M.save(rev, os.path.join(work, "revision.pt"))
    return rev, secs, {"recipe": hp["rev_recipe"], "examples": len(examples), "by_kind_and_attempts": counts}
