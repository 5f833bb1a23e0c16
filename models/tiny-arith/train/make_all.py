"""Regenerates the whole tiny model family from fixed seeds:

    /usr/bin/python3 models/tiny-arith/train/make_all.py            # everything, into models/tiny-arith
    ... make_all.py --quick                                         # tiny sizes: a smoke test of the code

Stages: eval.jsonl -> policy -> PRM (MC rollouts) -> revision model -> evaluation (metrics.json and the
tables in MODEL_CARD.md) -> ONNX export, manifests, tokenizer, parity.json. Checkpoints (*.pt) go to
the work folder (git-ignored); --resume reuses the ones there. Every size below can be overridden with
an environment variable TINY_<NAME> (e.g. TINY_POLICY_STEPS=3000)."""
import argparse
import json
import os
import platform
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import card  # noqa: E402
import evaluate  # noqa: E402
import export_onnx  # noqa: E402
import model as M  # noqa: E402
import parity  # noqa: E402
from common import device, seed_all  # noqa: E402
from task import eval_set, write_jsonl  # noqa: E402
from train_policy import train_policy  # noqa: E402
from train_prm import train_prm  # noqa: E402
from train_revision import train_revision  # noqa: E402

FULL = dict(
    policy_examples=1_000_000, policy_steps=4000, policy_batch=256, policy_lr=2e-3,
    prm_problems=12000, prm_samples=2, prm_rollouts=16, prm_steps=1200, prm_batch=256, prm_lr=3e-4,
    prm_outcome_problems=0, prm_outcome_samples=4, prm_outcome_temperatures="1.0,1.3", prm_refine_steps=8000,
    prm_refine_lr=2e-4,
    rev_problems=20000, rev_attempts=8, rev_temperature=1.0, rev_steps=2500, rev_batch=64, rev_lr=5e-4, rev_mixed=0.0,
    eval_samples=16, rev_chains=4, rev_eval_temperature=1.0, max_new=256, gen_batch=4096,
    eval_per_level=100, eval_seed=20240806,
)
QUICK = dict(FULL, policy_examples=200, policy_steps=3, policy_batch=2, prm_problems=4, prm_samples=2,
             prm_rollouts=2, prm_outcome_problems=6, prm_outcome_samples=2, prm_steps=3, prm_refine_steps=3, prm_batch=2, rev_problems=6, rev_attempts=3, rev_steps=3, rev_batch=2,
             eval_samples=3, rev_chains=1, max_new=24, gen_batch=256, eval_per_level=2)


def hyperparameters(quick):
    hp = dict(QUICK if quick else FULL)
    for k, v in hp.items():
        env = os.environ.get(f"TINY_{k.upper()}")
        if env is not None:
            hp[k] = type(v)(env)
    return hp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(HERE), help="where the shipped artifacts go")
    ap.add_argument("--work", default=os.path.join(os.path.dirname(HERE), "work"), help="checkpoints and logs")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--resume", action="store_true", help="reuse checkpoints found in --work")
    ap.add_argument("--stop-after", choices=["policy", "prm", "revision", "eval"], default=None)
    a = ap.parse_args()
    hp = hyperparameters(a.quick)
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.work, exist_ok=True)
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    hw = torch.cuda.get_device_name(0) if device() == "cuda" else f"CPU ({platform.processor() or 'x86_64'}, {os.cpu_count()} cores)"
    info = {"hyperparameters": hp, "hardware": hw, "torch": torch.__version__, "seconds": {}}
    seed_all(0)

    rows = eval_set(hp["eval_seed"], hp["eval_per_level"])
    write_jsonl(os.path.join(a.out, "eval.jsonl"), rows)
    exclude = {r["problem"] for r in rows}
    print(f"wrote eval.jsonl ({len(rows)} problems); hardware {hw}; torch {torch.__version__}", flush=True)

    def stage(name, fn):
        path = os.path.join(a.work, f"{name}.pt")
        if a.resume and os.path.exists(path):
            print(f"[{name}] reusing {path}", flush=True)
            return M.load(path, device()), None
        t0 = time.time()
        out = fn()
        info["seconds"][name] = round(time.time() - t0, 1)
        if len(out) > 2:
            info[name] = out[2]
        return out[0], out[1]

    policy, _ = stage("policy", lambda: train_policy(a.work, exclude, hp))
    if a.stop_after == "policy":
        quick_policy_report(policy, rows, hp)
        return
    prm, _ = stage("prm", lambda: train_prm(a.work, policy, exclude, hp))
    if a.stop_after == "prm":
        return
    revision, _ = stage("revision", lambda: train_revision(a.work, policy, exclude, hp))
    if a.stop_after == "revision":
        return

    metrics_path = os.path.join(a.work, "metrics.json")
    if a.resume and not info["seconds"] and os.path.exists(metrics_path):
        # all checkpoints reused: keep the measurements made with them (e.g. on the GPU machine)
        with open(metrics_path) as f:
            info = json.load(f)
        table, summary = info["metrics"], info["summary"]
        print(f"reusing the measurements in {metrics_path}", flush=True)
    else:
        t0 = time.time()
        table, summary = evaluate.evaluate(policy, prm, revision, rows, hp)
        info["seconds"]["evaluate"] = round(time.time() - t0, 1)
        info["metrics"], info["summary"] = table, summary
    print(evaluate.markdown(table))
    print(evaluate.revision_markdown(table))
    print(json.dumps(summary))
    with open(metrics_path, "w") as f:
        json.dump(info, f, indent=2)
    if a.stop_after == "eval":
        return

    models = {"policy": policy, "revision": revision, "prm": prm}
    for m in models.values():
        m.cpu().eval()
    export_onnx.export_all(models, a.out)
    parity.write(models, os.path.join(a.out, "parity.json"))
    card.write(os.path.join(a.out, "MODEL_CARD.md"), info, models, a.out)


def quick_policy_report(policy, rows, hp):
    """Greedy and T=1 accuracy by level: a quick look at how hard the task is for the policy."""
    from sample import generate_ids
    from task import encode, prompt_text
    from train_prm import parse_sample
    prompts = [encode(prompt_text(r["problem"]), bos=True) for r in rows]
    for temp in (0.0, 1.0):
        out = generate_ids(policy, prompts, hp["max_new"], temp, batch_size=hp["gen_batch"])
        acc = {}
        for r, (g, e) in zip(rows, out):
            acc.setdefault(r["level"], []).append(parse_sample(g, e)[1] == r["answer"])
        print(f"T={temp}: " + " ".join(f"L{k} {sum(v) / len(v):.2f}" for k, v in sorted(acc.items())), flush=True)


if __name__ == "__main__":
    main()
