"""PRM, trained as in Math-Shepherd / the paper: sample solutions from the policy; for every step prefix
run Monte Carlo rollouts from it with the policy; the soft label of the step is the fraction of
rollouts that reach the gold answer (the last step's label is the sample's own correctness). The PRM is
the policy's trunk with a value head, trained with binary cross-entropy at each step's last token
(the second '\\n' of its delimiter)."""
import os
import random

import torch

import model as M
from common import TokenStore, device, fit, seed_all
from sample import generate_ids
from task import DELIM, decode, encode, extract_answer, prompt_text, solution_text, split_steps, training_problems


def step_end_positions(prompt_len, steps):
    """Index (in BOS+prompt+solution ids) of the last token of each step's delimiter."""
    ends, pos = [], prompt_len
    for s in steps:
        pos += len(s.encode("utf-8")) + len(DELIM)
        ends.append(pos - 1)
    return ends


def parse_sample(gen_ids, ended):
    """Generated ids -> (steps, answer); an unfinished sample counts as wrong."""
    text = decode(gen_ids)
    steps = split_steps(text)
    return steps, (extract_answer(text) if ended else None)


def mc_labels(policy, problems, samples_per_problem, rollouts, temperature, max_new, batch_size):
    """-> list of (prompt ids, steps, per-step soft labels)."""
    prompts = [encode(prompt_text(p["problem"]), bos=True) for p in problems]
    gens = generate_ids(policy, [pr for pr in prompts for _ in range(samples_per_problem)], max_new, temperature,
                        batch_size=batch_size)
    samples = []
    for j, (g, ended) in enumerate(gens):
        pi = j // samples_per_problem
        steps, ans = parse_sample(g, ended)
        if steps:
            samples.append((pi, steps, ans == problems[pi]["answer"]))
    # one rollout set per distinct (problem, prefix): easy problems repeat the same prefixes a lot
    prefixes = {}
    for pi, steps, _ in samples:
        for k in range(1, len(steps)):
            prefixes.setdefault((pi, tuple(steps[:k])), None)
    keys = list(prefixes)
    roll_prompts = [prompts[pi] + encode(solution_text(list(pre))) for pi, pre in keys for _ in range(rollouts)]
    print(f"[prm] {len(samples)} samples, {len(keys)} distinct step prefixes, {len(roll_prompts)} rollouts", flush=True)
    res = generate_ids(policy, roll_prompts, max_new, temperature, batch_size=batch_size)
    for i, (pi, pre) in enumerate(keys):
        ok = 0
        for g, ended in res[i * rollouts:(i + 1) * rollouts]:
            _, ans = parse_sample(g, ended)
            ok += ans == problems[pi]["answer"]
        prefixes[(pi, pre)] = ok / rollouts
    out = []
    for pi, steps, correct in samples:
        labels = [prefixes[(pi, tuple(steps[:k]))] for k in range(1, len(steps))] + [float(correct)]
        out.append((prompts[pi], steps, labels))
    return out


def train_prm(work, policy, exclude, hp, seed=2):
    seed_all(seed)
    rng = random.Random(seed)
    problems = training_problems(rng, hp["prm_problems"], exclude)
    data = mc_labels(policy, problems, hp["prm_samples"], hp["prm_rollouts"], 1.0, hp["max_new"], hp["gen_batch"])
    seqs, starts, labels = [], [], []
    for prompt, steps, lab in data:
        seqs.append(prompt + encode(solution_text(steps)))
        starts.append(len(prompt))
        labels.append(dict(zip(step_end_positions(len(prompt), steps), lab)))
    final = [lab[-1] for _, _, lab in data]
    print(f"[prm] {len(data)} labelled solutions, {sum(final) / len(final):.2f} of them correct", flush=True)
    store = TokenStore(seqs, starts, device(), labels=labels)
    prm = M.with_value_head(policy)

    def loss(m, idx):
        x, y = store.value_batch(idx)
        logits = m.value_logits(x).float()
        keep = ~torch.isnan(y)
        return torch.nn.functional.binary_cross_entropy_with_logits(logits[keep], y[keep])

    secs = fit(prm, loss, len(store), hp["prm_steps"], hp["prm_batch"], hp["prm_lr"], "prm", weight_decay=0.0)
    M.save(prm, os.path.join(work, "prm.pt"))
    return prm, secs, {"solutions": len(data), "prefixes_rolled_out": len(data) and sum(len(d[1]) - 1 for d in data),
                       "correct_fraction": sum(final) / len(final)}
