"""The small policy's own samples at T=1 on fresh problems (never an evaluation problem): the hard
negatives of the PRM and the attempts shown to the revision model. One file, work/samples.jsonl.gz,
shared by both stages (small: it travels between GPU calls)."""
import gzip
import json
import os
import random
from collections import Counter

from common import seed_all
from sample import generate_ids
from task import decode, encode, prompt_text, training_problems


def make_samples(work, policy, exclude, hp, seed=5):
    seed_all(seed)
    rng = random.Random(seed)
    problems = training_problems(rng, hp["sample_problems"], exclude)
    k = hp["samples_per_problem"]
    prompts = [encode(prompt_text(p["problem"]), bos=True) for p in problems for _ in range(k)]
    gens = generate_ids(policy, prompts, hp["max_new"], 1.0, batch_size=hp["gen_batch"])
    rows = []
    for i, p in enumerate(problems):
        rows.append({"problem": p["problem"], "solution": p["solution"], "answer": p["answer"], "level": p["level"],
                     "samples": [[decode(g), ended] for g, ended in gens[i * k:(i + 1) * k]]})
    path = os.path.join(work, "samples.jsonl.gz")
    with gzip.open(path, "wt") as f:
        for r in rows:
            # each distinct sample once with its count: the file must be small enough to travel
            counts = Counter((t, e) for t, e in r["samples"])
            f.write(json.dumps({**r, "samples": [[t, e, c] for (t, e), c in counts.items()]}) + "\n")
    print(f"[samples] {len(rows)} problems x {k} samples at T=1 -> {path}", flush=True)
    return rows, {"problems": len(rows), "per_problem": k}


def load_samples(work):
    path = os.path.join(work, "samples.jsonl.gz")
    rows = []
    with gzip.open(path, "rt") as f:
        for line in f:
            r = json.loads(line)
            r["samples"] = [[t, e] for t, e, c in r["samples"] for _ in range(c)]
            rows.append(r)
    return rows
