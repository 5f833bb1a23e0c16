"""Revision model, as in the paper: the policy fine-tuned on [problem, 0-4 incorrect attempts sampled
from the policy at a higher temperature, correct solution]. Of the chosen attempts, the one closest to
the correct solution (character edit distance) goes last, right before the revision. Prompt layout:
task.revision_prompt (documented in docs/model-format.md)."""
import os
import random

import model as M
from common import TokenStore, device, fit, lm_loss, seed_all
from sample import generate_ids
from task import encode, prompt_text, revision_prompt, solution_text, split_steps, training_problems
from train_prm import parse_sample


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def build_examples(problems, attempts_per_problem, gens, rng, max_attempts=4, p_zero=0.2, p_mixed=0.0):
    """-> list of (prompt text, gold steps, number of attempts in the prompt). With probability p_mixed
    an example's attempts are drawn from all of the policy's samples, right ones included: at test time
    earlier attempts are often right, and a model that only ever saw wrong ones learns to move away
    from whatever it is shown."""
    out = []
    for i, p in enumerate(problems):
        wrong, seen = [], set()
        mixed = rng.random() < p_mixed
        for g, ended in gens[i * attempts_per_problem:(i + 1) * attempts_per_problem]:
            steps, ans = parse_sample(g, ended)
            key = "\n".join(steps)
            if steps and (mixed or ans != p["answer"]) and key not in seen:
                seen.add(key)
                wrong.append(steps)
        gold = split_steps(p["solution"])
        # most examples that can show a wrong attempt do (0 attempts = plain solving, which the policy
        # already knows); 1..4 uniform otherwise
        k = 0 if not wrong or rng.random() < p_zero else rng.randint(1, min(max_attempts, len(wrong)))
        chosen = rng.sample(wrong, k)
        if k > 1:
            gold_text = "\n".join(gold)
            closest = min(range(k), key=lambda j: edit_distance("\n".join(chosen[j]), gold_text))
            chosen.append(chosen.pop(closest))
        out.append((revision_prompt(p["problem"], chosen, max_attempts), gold, k))
    return out


def train_revision(work, policy, exclude, hp, seed=3):
    seed_all(seed)
    rng = random.Random(seed)
    problems = training_problems(rng, hp["rev_problems"], exclude)
    n = hp["rev_attempts"]
    prompts = [encode(prompt_text(p["problem"]), bos=True) for p in problems for _ in range(n)]
    gens = generate_ids(policy, prompts, hp["max_new"], hp["rev_temperature"], batch_size=hp["gen_batch"])
    examples = build_examples(problems, n, gens, rng, p_mixed=hp.get("rev_mixed", 0.0))
    counts = [sum(1 for e in examples if e[2] == k) for k in range(5)]
    print(f"[revision] {len(examples)} examples; by number of attempts 0..4: {counts}", flush=True)
    seqs, starts = [], []
    for prompt, gold, _ in examples:
        ids = encode(prompt, bos=True)
        seqs.append(ids + encode(solution_text(gold), eos=True))
        starts.append(len(ids))
    store = TokenStore(seqs, starts, device())
    rev = M.GPT(policy.config).to(device())
    rev.load_state_dict(policy.state_dict())
    secs = fit(rev, lm_loss(store), len(store), hp["rev_steps"], hp["rev_batch"], hp["rev_lr"], "revision")
    M.save(rev, os.path.join(work, "revision.pt"))
    return rev, secs, {"examples": len(examples), "by_attempts": counts}
