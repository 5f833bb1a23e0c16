"""A variant of one eval level for experiments through the pipeline: COUNT problems with OPS operations drawn with
the operand ranges of level RANGES_OF (task.LEVELS), labelled level LABEL, none of them in eval.jsonl. Import it as
a dataset of its own (pipeline dataset import OUT --format math --name NAME) and point a spec's `dataset:` at it.
    /usr/bin/python3 models/tiny-arith/train/level_variant.py --ops 3 --ranges-of 4 --label 3 --out /tmp/l3wide.jsonl"""
import argparse
import json
import os
import random

import task


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", type=int, required=True)
    ap.add_argument("--ranges-of", type=int, required=True, help="the level whose add_max and mul_max to use")
    ap.add_argument("--label", type=int, required=True, help="the level the rows carry")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--name", default="tiny-arith-variant", help="prefix of the unique ids")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    cfg = dict(task.LEVELS[a.ranges_of], ops=a.ops)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "eval.jsonl")) as f:
        taken = {json.loads(line)["problem"] for line in f}
    rng, rows = random.Random(a.seed), []
    while len(rows) < a.count:
        p = task.make_problem(rng, a.label, cfg)
        if p["problem"] in taken:
            continue
        taken.add(p["problem"])
        p["unique_id"] = f"{a.name}/L{a.label}/{len(rows):04d}"
        rows.append(p)
    task.write_jsonl(a.out, rows)
    print(f"wrote {len(rows)} problems to {a.out}")


if __name__ == "__main__":
    main()
