"""PRM, trained as in Math-Shepherd / the paper: sample solutions from the policy; for every step prefix
run Monte Carlo rollouts from it with the policy; the soft label of the step is the fraction of
rollouts that reach the gold answer (the last step's label is the sample's own correctness). The PRM is
the policy's trunk with a value head, trained with binary cross-entropy at each step's last token
(the second '\\n' of its delimiter)."""
import os
import random
import re

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


_STEP = re.compile(r"^(-?\d+)(\+|-|\\times |\\div )(\(-?\d+\)|-?\d+) = (-?\d+)$")
_FN = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "\\times ": lambda a, b: a * b,
       "\\div ": lambda a, b: a // b if b != 0 and a % b == 0 else None}


def parse_step(step):
    """'42\\times 3 = 126' -> [42, '\\times ', 3, 126]; None for the answer step or anything unparsable."""
    m = _STEP.match(step)
    if not m:
        return None
    return [int(m.group(1)), m.group(2), int(m.group(3).strip("()")), int(m.group(4))]


def format_step(a, op, b, c):
    return f"{a}{op}{'(%d)' % b if b < 0 else b} = {c}"


def first_arithmetic_error(steps):
    """Index of the first step whose result is not what its operands give (None: none found)."""
    for k, s in enumerate(steps):
        p = parse_step(s)
        if p is not None and _FN[p[1]](p[0], p[2]) != p[3]:
            return k
    return None


def _near_miss(v, rng):
    """A wrong value of the kind the policy writes: one digit changed, off by a little, or sign flipped."""
    r = rng.random()
    if r < 0.45:
        s = str(abs(v))
        i = rng.randrange(len(s))
        digits = [d for d in "0123456789" if d != s[i] and not (i == 0 and d == "0" and len(s) > 1)]
        w = int(s[:i] + rng.choice(digits) + s[i + 1:])
        return -w if v < 0 else w
    if r < 0.85:
        return v + rng.choice([-1, 1]) * rng.choice([1, 1, 2, 3, 4, 5, 10, 10, 20, 100])
    return -v if v != 0 else 1


def perturb_solution(steps, rng, tries=8):
    """Hard negative from a correct solution: one step gets a wrong result (or a wrongly copied operand,
    computed correctly from there), and every later step carries the wrong value on consistently, so
    the final answer is wrong while each later step looks right. -> (steps, index of the first wrong
    step) or None."""
    parsed = [parse_step(s) for s in steps[:-1]]
    if not parsed or any(p is None for p in parsed):
        return None
    for _ in range(tries):
        q = [list(p) for p in parsed]
        k = rng.randrange(len(q))
        old = q[k][3]
        if rng.random() < 0.7:  # wrong result
            q[k][3] = _near_miss(old, rng)
        else:  # wrong operand copied, result computed from it
            side = rng.choice([0, 2])
            q[k][side] = _near_miss(q[k][side], rng)
            q[k][3] = _FN[q[k][1]](q[k][0], q[k][2])
            if q[k][3] is None or q[k][3] == old:
                continue
        ok, changed = True, {k: old}
        for j in range(k + 1, len(q)):  # the parent step uses the result: the first later step holding it
            for src, was in list(changed.items()):
                for side in (0, 2):
                    if q[j][side] == was and src not in changed.get("used", ()):
                        q[j][side] = q[src][3]
                        changed.setdefault("used", set()).add(src)
                        break
            new = _FN[q[j][1]](q[j][0], q[j][2])
            if new is None:
                ok = False
                break
            if new != q[j][3]:
                changed[j] = q[j][3]
                q[j][3] = new
        final = q[-1][3]
        if not ok or final == parsed[-1][3]:
            continue
        return [format_step(*p) for p in q] + [f"The answer is $\\boxed{{{final}}}$."], k
    return None


def outcome_labels(policy, problems, samples_per_problem, temperatures, max_new, batch_size, rng):
    """Policy samples without rollouts: the last step is labelled with the sample's exact correctness,
    steps from the first arithmetic error on with 0 (no rollout can recover a wrong value that later
    steps use); other steps stay unlabelled. Every correct sample also gets a perturbed twin
    (perturb_solution): the pair teaches the score to depend on the arithmetic of each step.
    -> list of (prompt ids, steps, per-step labels with None = unlabelled), counts."""
    prompts = [encode(prompt_text(p["problem"]), bos=True) for p in problems]
    out, counts = [], {"correct": 0, "wrong": 0, "perturbed": 0}
    for t in temperatures:
        gens = generate_ids(policy, [pr for pr in prompts for _ in range(samples_per_problem)], max_new, t,
                            batch_size=batch_size)
        for j, (g, ended) in enumerate(gens):
            pi = j // samples_per_problem
            steps, ans = parse_sample(g, ended)
            if not steps:
                continue
            correct = ans == problems[pi]["answer"]
            labels = [None] * (len(steps) - 1) + [float(correct)]
            err = first_arithmetic_error(steps)
            if err is not None:
                for k in range(err, len(steps)):
                    labels[k] = 0.0 if not correct else labels[k]
            out.append((prompts[pi], steps, labels))
            counts["correct" if correct else "wrong"] += 1
            if correct:
                pert = perturb_solution(steps, rng)
                if pert is not None:
                    psteps, k = pert
                    out.append((prompts[pi], psteps, [None] * k + [0.0] * (len(psteps) - k)))
                    counts["perturbed"] += 1
    return out, counts


def _value_fit(prm, data, steps, batch, lr, name):
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

    return fit(prm, loss, len(store), steps, batch, lr, name, weight_decay=0.0)


def train_prm(work, policy, exclude, hp, seed=2):
    """Stage 1 (Math-Shepherd): MC-labelled policy samples, from the policy's weights. Stage 2 (when
    prm_outcome_problems > 0): refine_prm."""
    seed_all(seed)
    rng = random.Random(seed)
    problems = training_problems(rng, hp["prm_problems"], exclude)
    data = mc_labels(policy, problems, hp["prm_samples"], hp["prm_rollouts"], 1.0, hp["max_new"], hp["gen_batch"])
    final = [lab[-1] for _, _, lab in data]
    print(f"[prm] {len(data)} MC-labelled solutions, {sum(final) / len(final):.2f} of them correct", flush=True)
    prm = M.with_value_head(policy)
    secs = _value_fit(prm, data, hp["prm_steps"], hp["prm_batch"], hp["prm_lr"], "prm")
    info = {"solutions": len(data), "prefixes_rolled_out": len(data) and sum(len(d[1]) - 1 for d in data),
            "correct_fraction": sum(final) / len(final)}
    if hp.get("prm_outcome_problems", 0) > 0:
        secs2, info2 = refine_prm(prm, policy, exclude, hp)
        secs += secs2
        info.update(info2)
    M.save(prm, os.path.join(work, "prm.pt"))
    return prm, secs, info


def refine_prm(prm, policy, exclude, hp, seed=4):
    """Stage 2: continue training on many more policy samples (T=1.0 and 1.3) labelled exactly (last
    step = correctness, steps from the first arithmetic error on = 0) plus a perturbed twin of every
    correct sample: the score has to follow each step's arithmetic, not the look of the solution."""
    seed_all(seed)
    rng = random.Random(seed)
    more = training_problems(rng, hp["prm_outcome_problems"], exclude)
    temps = [float(t) for t in str(hp["prm_outcome_temperatures"]).split(",")]
    extra, counts = outcome_labels(policy, more, hp["prm_outcome_samples"], temps, hp["max_new"], hp["gen_batch"], rng)
    print(f"[prm] outcome-labelled: {counts}", flush=True)
    secs = _value_fit(prm, extra, hp["prm_refine_steps"], hp["prm_batch"], hp["prm_refine_lr"], "prm-refine")
    return secs, {"outcome_labelled": counts}
