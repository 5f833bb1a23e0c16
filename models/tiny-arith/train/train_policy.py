"""Policies: GPTs trained on correct step-by-step solutions of freshly generated problems (uniform over
levels 1-5, never an evaluation problem). The small policy is kept small and briefly trained on purpose:
it must still make mistakes, more of them as the level rises. The large policy (model.LARGE, ~4.9x the
parameters) trains on the same rows (same seed) for the FLOPs-matched comparison; its weights are also
the PRM's starting point (a language model that learned the arithmetic)."""
import os
import random
from multiprocessing import Pool

import model as M
from common import TokenStore, device, fit, lm_loss, seed_all
from task import encode, make_problem, prompt_text, solution_text, split_steps


def _chunk(args):
    seed, n, exclude = args
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        p = make_problem(rng, rng.randint(1, 5))
        if p["problem"] in exclude:
            continue
        prompt = encode(prompt_text(p["problem"]), bos=True)
        out.append((prompt + encode(solution_text(split_steps(p["solution"])), eos=True), len(prompt)))
    return out


def training_rows(seed, n, exclude, workers=None):
    chunk = 20000
    jobs = [(seed * 100003 + i, min(chunk, n - i * chunk), exclude) for i in range((n + chunk - 1) // chunk)]
    with Pool(workers or min(16, os.cpu_count() or 1)) as pool:
        parts = pool.map(_chunk, jobs)
    return [r for part in parts for r in part]


_ROWS = {}


def mean_row_tokens(exclude, seed=1, sample=20000):
    """Mean tokens of a training row (prompt, solution and EOS), over the first `sample` rows train_policy starts with."""
    rows = _chunk((seed * 100003, sample, exclude))
    return sum(len(r[0]) for r in rows) / len(rows)


def tokens_seen(steps, batch, row_tokens):
    """Training tokens of a policy trained `steps` steps of `batch` rows of `row_tokens` tokens on average: the
    D_pretrain of the FLOPs-matched comparison, which the manifests carry as pretraining_tokens."""
    return round(steps * batch * row_tokens)


def train_policy(work, exclude, hp, seed=1, name="policy", config=None, steps=None, lr=None, batch=None, seconds=0):
    """Both policies use seed 1: the same rows and the same batch order (fit's fixed generator)."""
    seed_all(seed)
    key = (seed, hp["policy_examples"])
    if key not in _ROWS:
        _ROWS[key] = training_rows(seed, hp["policy_examples"], exclude)
    rows = _ROWS[key]
    dev = device()
    store = TokenStore([r[0] for r in rows], [r[1] for r in rows], dev)
    gpt = M.GPT(config or M.SMALL).to(dev)
    print(f"[{name}] {gpt.num_parameters()} parameters, {len(rows)} examples, device {dev}", flush=True)
    secs = fit(gpt, lm_loss(store), len(store), steps or hp["policy_steps"], batch or hp["policy_batch"], lr or hp["policy_lr"], name,
               seconds=seconds)
    M.save(gpt, os.path.join(work, f"{name}.pt"))
    return gpt, secs
