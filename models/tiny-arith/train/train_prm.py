"""PRM that verifies: a separate, larger model (model.LARGE, ~4.9x the small policy) that first learned
the arithmetic as a language model on the same solutions (it is the large policy's checkpoint), then
gets a value head and is fine-tuned with binary cross-entropy at each step's last token (the second
'\\n' of its delimiter) on exact per-step labels (step_check.step_labels, the analogue of PRM800K's
human labels: a step is right iff it reduces the problem correctly; after the first wrong step all
are wrong) of
  (a) the small policy's own samples at T=1 (policy_samples.py): its real mistakes, mostly a wrong
      product or quotient in an early step;
  (b) synthetic corruptions of gold solutions that mimic them (step_check.corrupt: one wrong digit,
      carry errors, off by 10^k, a miscopied operand; later steps carry the wrong value on);
  (c) optionally (prm_mc_problems > 0) Math-Shepherd Monte Carlo labels: every step prefix of a policy
      sample rolled out with the policy, soft label = fraction of rollouts reaching the gold answer."""
import os
import random

import torch

import model as M
from common import TokenStore, device, fit, seed_all
from sample import generate_ids
from step_check import corrupt, step_labels
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


def _value_fit(prm, data, steps, batch, lr, name, seconds=0):
    seqs, starts, labels = [], [], []
    for prompt, steps_, lab in data:
        seqs.append(prompt + encode(solution_text(steps_)))
        starts.append(len(prompt))
        labels.append({p: v for p, v in zip(step_end_positions(len(prompt), steps_), lab) if v is not None})
    store = TokenStore(seqs, starts, device(), labels=labels)

    def loss(m, idx):
        x, y = store.value_batch(idx)
        logits = m.value_logits(x).float()
        keep = ~torch.isnan(y)
        return torch.nn.functional.binary_cross_entropy_with_logits(logits[keep], y[keep])

    return fit(prm, loss, len(store), steps, batch, lr, name, weight_decay=0.0, seconds=seconds)


def complete_steps(text, ended):
    """The steps a PRM can score: those followed by the delimiter (an unfinished sample's cut-off tail is
    not a step)."""
    steps = split_steps(text)
    if steps and not ended and not text.endswith(DELIM):
        steps = steps[:-1]
    return steps


def exact_data(rows, rng, corrupt_frac):
    """(a) + (b) above. Duplicate samples of a problem count once (level 1 would otherwise be mostly
    the same right solution many times). -> list of (prompt ids, steps, labels 0/1), counts."""
    out = []
    counts = {"samples": 0, "wrong_samples": 0, "corrupted": 0, "steps": 0, "wrong_steps": 0}
    for r in rows:
        prompt = encode(prompt_text(r["problem"]), bos=True)
        seen = set()
        for text, ended in r["samples"]:
            steps = complete_steps(text, ended)
            key = "\n".join(steps)
            if not steps or key in seen:
                continue
            seen.add(key)
            lab = [float(x) for x in step_labels(r["problem"], steps)]
            out.append((prompt, steps, lab))
            counts["samples"] += 1
            counts["wrong_samples"] += lab[-1] == 0.0
        if rng.random() < corrupt_frac:
            bad = corrupt(r["problem"], split_steps(r["solution"]), rng)
            if bad is not None:
                out.append((prompt, bad, [float(x) for x in step_labels(r["problem"], bad)]))
                counts["corrupted"] += 1
    for _, _, lab in out:
        counts["steps"] += len(lab)
        counts["wrong_steps"] += sum(1 for x in lab if x == 0.0)
    return out, counts


def train_prm(work, policy, large, rows, exclude, hp, seed=2):
    """policy: the small policy (MC rollouts only, may be None without them); large: an LM of the large
    architecture, the PRM's initial weights; rows: policy_samples' rows."""
    seed_all(seed)
    rng = random.Random(seed)
    data, counts = exact_data(rows, rng, hp["prm_corrupt_frac"])
    print(f"[prm] exact labels: {counts}", flush=True)
    info = {"exact": counts, "init": hp["prm_init"], "parameters": None}
    if hp["prm_mc_problems"] > 0:
        problems = training_problems(rng, hp["prm_mc_problems"], exclude)
        mc = mc_labels(policy, problems, hp["prm_samples"], hp["prm_rollouts"], 1.0, hp["max_new"], hp["gen_batch"])
        data += mc
        info["mc_solutions"] = len(mc)
    prm = M.with_value_head(large, hp["prm_value_input"])
    if hp["prm_freeze_trunk"]:  # only the head learns: the LM's likelihood, the surprise features' source, stays as trained
        for name, p in prm.named_parameters():
            p.requires_grad_(name.startswith(("value.", "surprise.")))
    info.update(parameters=prm.num_parameters(), value_input=hp["prm_value_input"], frozen_trunk=bool(hp["prm_freeze_trunk"]))
    secs = _value_fit(prm, data, hp["prm_steps"], hp["prm_batch"], hp["prm_lr"], "prm", hp.get("prm_seconds", 0))
    M.save(prm, os.path.join(work, "prm.pt"))
    return prm, secs, info
