"""Revision model: the small policy fine-tuned on [problem, earlier attempts, target solution], the
attempts being the small policy's own samples at T=1 (policy_samples.py). The mix, per problem:
  - p_zero: no attempt, target the gold solution (plain solving);
  - "fix" (the paper's recipe): 1-4 distinct wrong attempts, the one closest to the gold solution
    (character edit distance) last, target the gold solution;
  - "keep": 0-3 attempts drawn from all of the problem's samples (right and wrong, repeats allowed, as
    in a chain that already copied itself), then a right attempt last, target that same attempt (the
    answer is kept; a right sample is nearly always the gold text).
A problem with both right and wrong samples is "keep" with probability p_keep, else "fix"; one with
only right samples is "keep", one with only wrong samples "fix". So, per level, keep/fix follow how
often the policy is right, which is what a chain's second attempt sees at test time. Trained only on
"fix" (the old recipe), the model learned to move away from whatever it is shown and lost right
answers along a chain. Prompt layout: task.revision_prompt (docs/model-format.md)."""
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


def build_examples(rows, rng, max_attempts=4, p_zero=0.15, p_keep=0.5):
    """rows: policy_samples' rows. -> list of (prompt text, target steps, kind, number of attempts)."""
    out = []
    for r in rows:
        gold = split_steps(r["solution"])
        right, wrong, seen, every = [], [], set(), []
        for text, ended in r["samples"]:
            steps = complete_steps(text, ended)
            if not steps or not ended:  # an unfinished sample (cut at max_new) is no attempt to show
                continue
            ok = ended and all(step_labels(r["problem"], steps))  # right answer by right steps
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
    examples = build_examples(rows, rng, p_zero=hp["rev_p_zero"], p_keep=hp["rev_p_keep"])
    counts = {kind: [sum(1 for e in examples if e[2] == kind and e[3] == k) for k in range(5)] for kind in ("zero", "fix", "keep")}
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
    return rev, secs, {"examples": len(examples), "by_kind_and_attempts": counts}
