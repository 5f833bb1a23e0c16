"""Issue 12's search target needs a small policy with two or more steps a level-3 problem that it gets right only
some of the time (step_success.py: the shipped policy gets almost every step right always or never). Training budget
is the knob tried first: this trains the small policy at several step counts, each with its own full warmup and
cosine schedule on make_all's rows and seed, and measures each with step_success (the ceiling of step-level search
over 16 whole samples, per level), so one GPU call shows which budget, if any, gives the target room. Nothing is
exported or shipped; the checkpoints stay in --work as policy_s<K>.pt.
    python3 policy_sweep.py --work /tmp/sweep --steps 500,1000,2000,4000 --levels 3,4 --out $OUT/policy_sweep.json
--pick-gain G [--pick-level L --pick-to FILE] then names the largest budget (the strongest policy) whose level-L
ceiling gain is at least G, and copies its checkpoint to FILE, so the retraining that follows can start in the same
call (scripts/gpu/train_tiny.sh start-carried).
"""
import argparse
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_all  # noqa: E402
from common import report, seed_all  # noqa: E402
from step_success import by_level, eval_rows  # noqa: E402
from task import eval_set  # noqa: E402
from train_policy import train_policy  # noqa: E402


def gain(run, level):
    """The most step-level search can win over 16 whole samples on this level (perfect verifier)."""
    s = run["levels"][str(level)]
    return s["predicted_step_search"] - s["predicted_whole_samples"]


def pick(runs, level, min_gain):
    """The largest step budget whose gain on `level` is at least min_gain (a policy trained longer is the better
    policy: the one to keep among those that leave search its room), or None."""
    ok = [r["steps"] for r in runs if gain(r, level) >= min_gain]
    return max(ok) if ok else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--steps", default="500,1000,2000,4000", help="training step counts, one policy each")
    ap.add_argument("--levels", default="3,4")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--per-level", type=int, default=None, help="the first N eval problems of each level (all: 100)")
    ap.add_argument("--examples", type=int, default=None, help="training rows (make_all's default: 1,000,000)")
    ap.add_argument("--batch", type=int, default=None, help="training batch (make_all's default: 256)")
    ap.add_argument("--pick-gain", type=float, default=None, help="choose a budget: see the module's docstring")
    ap.add_argument("--pick-level", type=int, default=3)
    ap.add_argument("--pick-to", help="copy the chosen budget's checkpoint here")
    ap.add_argument("--out")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    hp = make_all.hyperparameters(quick=False)
    if a.examples:
        hp["policy_examples"] = a.examples
    if a.batch:
        hp["policy_batch"] = a.batch
    levels = [int(x) for x in a.levels.split(",")]
    exclude = {r["problem"] for r in eval_set(hp["eval_seed"], hp["eval_per_level"])}
    rows = eval_rows(levels, a.per_level)
    runs = []
    for steps in [int(x) for x in a.steps.split(",")]:
        policy, train_s = train_policy(a.work, exclude, hp, name=f"policy_s{steps}", steps=steps)
        seed_all(7)   # step_success's seed: each budget draws its steps the same way
        t0 = time.time()
        result = by_level(policy.eval(), rows, levels, a.samples, a.temperature)
        runs.append({"steps": steps, "train_seconds": round(train_s, 1), "measure_seconds": round(time.time() - t0, 1),
                     "levels": result})
        for level, s in result.items():
            print(f"[sweep] {steps} steps, level {level}: one sample {s['predicted_one_sample']:.3f}, 16 whole samples "
                  f"{s['predicted_whole_samples']:.3f}, step search {s['predicted_step_search']:.3f} "
                  f"(+{gain(runs[-1], level):.3f})", flush=True)
    result = {"samples": a.samples, "temperature": a.temperature, "examples": hp["policy_examples"],
              "batch": hp["policy_batch"], "lr": hp["policy_lr"], "runs": runs}
    if a.pick_gain is not None:
        chosen = pick(runs, a.pick_level, a.pick_gain)
        result["picked"] = {"level": a.pick_level, "min_gain": a.pick_gain, "steps": chosen}
        if chosen is None:
            report(result, a.out)
            raise SystemExit(f"no budget gains {a.pick_gain} on level {a.pick_level}")
        if a.pick_to:
            shutil.copyfile(os.path.join(a.work, f"policy_s{chosen}.pt"), a.pick_to)
        print(f"[sweep] picked {chosen} steps", flush=True)
    report(result, a.out)


if __name__ == "__main__":
    main()
