"""Measures every target of issue 2 on the held-out eval set (eval.jsonl), per level:
greedy accuracy; at temperature 1.0 with 16 samples: mean single-sample accuracy, pass@16,
majority@16, PRM-weighted best-of-16 and the PRM's AUROC (last-step score vs correctness);
sequential revisions (accuracy after each of 4 revisions, chains started by the revision model)."""
import time
from collections import defaultdict

import torch

from sample import generate_ids
from task import encode, prompt_text, revision_prompt, solution_text
from train_prm import parse_sample, step_end_positions


def auroc(scores, labels):
    """Probability that a random correct sample outscores a random wrong one (ties count half)."""
    pairs = sorted(zip(scores, labels))
    pos = sum(labels)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2  # ranks i+1..j
        rank_sum += avg_rank * sum(l for _, l in pairs[i:j])
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


@torch.no_grad()
def last_step_scores(prm, prompts, step_lists, batch_size=512, mins=None):
    """Score at each solution's last step end; fills `mins` (a list) with the lowest step score if given."""
    dev = next(prm.parameters()).device
    out = [None] * len(prompts)
    for s in range(0, len(prompts), batch_size):
        rows = []
        for pr, steps in zip(prompts[s:s + batch_size], step_lists[s:s + batch_size]):
            rows.append(pr + encode(solution_text(steps)))
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), 256, dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = torch.tensor(r)
        sc = prm.scores(ids.to(dev)).float().cpu()  # right padding + causal attention: no mask needed
        for i, (pr, steps) in enumerate(zip(prompts[s:s + batch_size], step_lists[s:s + batch_size])):
            out[s + i] = float(sc[i, step_end_positions(len(pr), steps)[-1]]) if steps else 0.0
            if mins is not None:
                mins[s + i] = float(sc[i, step_end_positions(len(pr), steps)].min()) if steps else 0.0
    return out


def evaluate(policy, prm, revision, rows, hp):
    t0 = time.time()
    n, max_new, bs = hp["eval_samples"], hp["max_new"], hp["gen_batch"]
    prompts = [encode(prompt_text(r["problem"]), bos=True) for r in rows]
    levels = sorted({r["level"] for r in rows})
    by = defaultdict(lambda: defaultdict(list))

    greedy = generate_ids(policy, prompts, max_new, 0.0, batch_size=bs)
    for r, (g, ended) in zip(rows, greedy):
        by[r["level"]]["greedy"].append(parse_sample(g, ended)[1] == r["answer"])

    gens = generate_ids(policy, [p for p in prompts for _ in range(n)], max_new, 1.0, batch_size=bs)
    parsed = [parse_sample(g, e) for g, e in gens]
    min_scores = [0.0] * len(parsed)
    scores = last_step_scores(prm, [p for p in prompts for _ in range(n)], [s for s, _ in parsed], mins=min_scores)
    all_scores, all_labels = [], []
    for i, r in enumerate(rows):
        answers = [a for _, a in parsed[i * n:(i + 1) * n]]
        sc = scores[i * n:(i + 1) * n]
        ok = [a == r["answer"] for a in answers]
        lv = by[r["level"]]
        lv["t1_single"].append(sum(ok) / n)
        lv["pass@n"].append(any(ok))
        votes, weighted, weighted_min = defaultdict(int), defaultdict(float), defaultdict(float)
        for a, s, m in zip(answers, sc, min_scores[i * n:(i + 1) * n]):
            if a is not None:
                votes[a] += 1
                weighted[a] += s
                weighted_min[a] += m
        lv["majority@n"].append(bool(votes) and max(votes, key=votes.get) == r["answer"])
        lv["prm_weighted@n"].append(bool(weighted) and max(weighted, key=weighted.get) == r["answer"])
        lv["prm_weighted_min@n"].append(bool(weighted_min) and max(weighted_min, key=weighted_min.get) == r["answer"])
        lv["prm_best@n"].append(ok[max(range(n), key=lambda j: sc[j])])
        lv["auroc_scores"] += sc
        lv["auroc_labels"] += [int(o) for o in ok]
        all_scores += sc
        all_labels += [int(o) for o in ok]

    # sequential revisions: attempt 0 from the revision model with no attempts, then 4 revisions
    chains = hp["rev_chains"]
    history = [[] for _ in range(len(rows) * chains)]
    answers = [[] for _ in range(len(rows) * chains)]
    for depth in range(5):
        texts = [revision_prompt(rows[i // chains]["problem"], history[i]) for i in range(len(history))]
        out = generate_ids(revision, [encode(t, bos=True) for t in texts], max_new, hp["rev_eval_temperature"], batch_size=bs)
        for i, (g, ended) in enumerate(out):
            steps, ans = parse_sample(g, ended)
            history[i].append(steps if steps else ["(empty)"])
            answers[i].append(ans)
            by[rows[i // chains]["level"]][f"rev_{depth}"].append(ans == rows[i // chains]["answer"])
    # the paper's selection over a revision chain: each attempt scored by the PRM as a plain solution,
    # the answer with the highest summed score wins
    flat = [(i, d) for i in range(len(history)) for d in range(5)]
    chain_scores = last_step_scores(prm, [prompts[i // chains] for i, _ in flat], [history[i][d] for i, d in flat])
    for i in range(len(history)):
        gold, weighted = rows[i // chains]["answer"], defaultdict(float)
        for d in range(5):
            if answers[i][d] is not None:
                weighted[answers[i][d]] += chain_scores[i * 5 + d]
        lv = by[rows[i // chains]["level"]]
        lv["rev_chain_prm"].append(bool(weighted) and max(weighted, key=weighted.get) == gold)
        lv["rev_chain_any"].append(gold in answers[i])

    table = {}
    for lv in levels:
        d = by[lv]
        m = {k: sum(v) / len(v) for k, v in d.items() if not k.startswith("auroc")}
        m["prm_auroc"] = auroc(d["auroc_scores"], d["auroc_labels"])
        table[lv] = m
    summary = {"prm_auroc_all": auroc(all_scores, all_labels), "eval_seconds": time.time() - t0,
               "samples_per_problem": n, "revision_chains_per_problem": chains}
    return table, summary


COLUMNS = [("greedy", "greedy (T=0)"), ("t1_single", "T=1 single"), ("pass@n", "pass@16"),
           ("majority@n", "majority@16"), ("prm_weighted@n", "PRM-weighted BoN@16"), ("prm_weighted_min@n", "PRM-weighted (min step) @16"),
           ("prm_best@n", "PRM best-of-16"),
           ("prm_auroc", "PRM AUROC (last step)"), ("rev_0", "revision: first attempt"), ("rev_4", "after 4 revisions")]


def markdown(table):
    lines = ["| level | " + " | ".join(c for _, c in COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for lv, m in sorted(table.items()):
        lines.append(f"| {lv} | " + " | ".join(f"{m[k]:.2f}" for k, _ in COLUMNS) + " |")
    return "\n".join(lines)


def revision_markdown(table):
    lines = ["| level | T=1 single (policy) | " + " | ".join(f"revision {d}" for d in range(5))
             + " | chain, PRM-weighted vote | chain, any correct |", "|---" * 9 + "|"]
    for lv, m in sorted(table.items()):
        lines.append(f"| {lv} | {m['t1_single']:.2f} | " + " | ".join(f"{m[f'rev_{d}']:.2f}" for d in range(5))
                     + f" | {m['rev_chain_prm']:.2f} | {m['rev_chain_any']:.2f} |")
    return "\n".join(lines)
