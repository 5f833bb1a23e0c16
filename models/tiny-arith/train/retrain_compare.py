"""Retrains the PRM (and, time allowing, the revision model) on top of existing checkpoints and measures
old and new with the same evaluation (evaluate.py) in the same run, so a replacement is only shipped
when it is measurably better:

    python3 retrain_compare.py --work ../work --out $OUT [--quick] [--budget-s 330]

Writes prm.pt / revision.pt (new), metrics_old.json, metrics_new_prm.json, metrics_new.json to --out."""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import evaluate  # noqa: E402
import make_all  # noqa: E402
import model as M  # noqa: E402
from common import device, seed_all  # noqa: E402
from task import eval_set  # noqa: E402
from train_prm import refine_prm, train_prm  # noqa: E402
from train_revision import train_revision  # noqa: E402


def measure(name, policy, prm, revision, rows, hp, out, info):
    seed_all(5)
    t0 = time.time()
    table, summary = evaluate.evaluate(policy, prm, revision, rows, hp)
    summary["eval_seconds"] = time.time() - t0
    print(f"== {name}\n" + evaluate.markdown(table) + "\n" + evaluate.revision_markdown(table) + "\n" + json.dumps(summary), flush=True)
    with open(os.path.join(out, f"metrics_{name}.json"), "w") as f:
        json.dump({**info, "metrics": table, "summary": summary}, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--budget-s", type=float, default=330, help="start the revision stage only before this")
    ap.add_argument("--refine-old-prm", action="store_true", help="only PRM stage 2, from --work's prm.pt")
    a = ap.parse_args()
    t_start = time.time()
    os.makedirs(a.out, exist_ok=True)
    hp = make_all.hyperparameters(a.quick)
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
    hw = torch.cuda.get_device_name(0) if device() == "cuda" else "CPU"
    info = {"hyperparameters": hp, "hardware": hw, "torch": torch.__version__, "seconds": {}}
    rows = eval_set(hp["eval_seed"], hp["eval_per_level"])
    exclude = {r["problem"] for r in rows}
    policy = M.load(os.path.join(a.work, "policy.pt"), device())
    old_prm = M.load(os.path.join(a.work, "prm.pt"), device())
    old_rev = M.load(os.path.join(a.work, "revision.pt"), device())

    t0 = time.time()
    if a.refine_old_prm:  # stage 1 is the shipped PRM's recipe: start stage 2 from its weights
        prm = M.load(os.path.join(a.work, "prm.pt"), device())
        _, prm_info = refine_prm(prm, policy, exclude, hp)
        M.save(prm, os.path.join(a.out, "prm.pt"))
    else:
        prm, _, prm_info = train_prm(a.out, policy, exclude, hp)
    info["seconds"]["prm"] = round(time.time() - t0, 1)
    info["prm"] = prm_info
    measure("old", policy, old_prm, old_rev, rows, hp, a.out, info)
    measure("new_prm", policy, prm, old_rev, rows, hp, a.out, info)
    if time.time() - t_start < a.budget_s:
        t0 = time.time()
        rev, _, rev_info = train_revision(a.out, policy, exclude, hp)
        info["seconds"]["revision"] = round(time.time() - t0, 1)
        info["revision"] = rev_info
        measure("new", policy, prm, rev, rows, hp, a.out, info)
    else:
        print(f"skipped the revision stage: {time.time() - t_start:.0f} s spent", flush=True)
    print(f"total {time.time() - t_start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
