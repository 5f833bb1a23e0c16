"""Regenerates the whole tiny model family from fixed seeds:

    /usr/bin/python3 models/tiny-arith/train/make_all.py            # everything, into models/tiny-arith
    ... make_all.py --quick                                         # tiny sizes: a smoke test of the code

Stages, in order (each fits in one GPU call of < 9 minutes on one H200):
  policy        the small policy (model.SMALL)                         -> work/policy.pt
  policy_large  the large policy (model.LARGE) on the same rows, and its greedy accuracy
                                                                      -> work/policy_large.pt, policy_large_eval.json
  samples       the small policy's samples at T=1 on fresh problems    -> work/samples.jsonl.gz
  prm           the PRM: an LM of the large architecture (its own LM phase, prm_init=lm, or the large
                policy's checkpoint, prm_init=policy_large) + value head, exact step labels -> work/prm.pt
  revision      the revision model: the small policy fine-tuned on keep/fix examples -> work/revision.pt
  eval          quick estimates of the issue's numbers (evaluate.py)   -> work/metrics.json
  (then)        ONNX export (fp16 weights), manifests, tokenizer, parity.json, MODEL_CARD.md
--stop-after STAGE stops after it; --resume reuses the checkpoints found in --work; --from STAGE skips
the stages before it; --stages A,B runs exactly those (skipped stages' outputs are loaded from --work
only where a stage needs them, so a GPU call only has to carry what it uses; train/GPU.md gives the
calls). Checkpoints are fp16. Every size below can be overridden
with an environment variable TINY_<NAME> (e.g. TINY_POLICY_STEPS=3000). work/info.json keeps every
stage's seconds and counts across calls."""
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
from policy_samples import load_samples, make_samples  # noqa: E402
from task import eval_set, write_jsonl  # noqa: E402
from train_policy import mean_row_tokens, tokens_seen, train_policy  # noqa: E402
from train_prm import train_prm  # noqa: E402
from train_revision import train_revision  # noqa: E402

STAGES = ["policy", "policy_large", "samples", "prm", "revision", "eval"]
OUTPUT = {"policy": "policy.pt", "policy_large": "policy_large.pt", "samples": "samples.jsonl.gz", "prm": "prm.pt",
          "revision": "revision.pt", "eval": "metrics.json"}

FULL = dict(
    policy_examples=1_000_000, policy_steps=1750, policy_batch=256, policy_lr=2e-3,
    large_steps=2034, large_lr=1.5e-3, large_batch=1024, large_seconds=0,
    sample_problems=30000, samples_per_problem=8,
    prm_init="policy_large", prm_lm_steps=2000, prm_lm_lr=1e-3,
    prm_corrupt_frac=1.0, prm_steps=3000, prm_batch=256, prm_lr=3e-3, prm_seconds=0, prm_value_input="surprise",
    prm_freeze_trunk=1,
    prm_mc_problems=0, prm_samples=2, prm_rollouts=16,
    rev_recipe="keepfix", rev_per_problem=2, rev_p_zero=0.15, rev_p_keep=0.5, rev_steps=2500, rev_batch=64, rev_lr=5e-4,
    eval_samples=64, search_n=16, search_levels="2,3,4", rev_chains=4, rev_chain_length=4, rev_eval_temperature=1.0, max_new=256, gen_batch=4096,
    eval_per_level=100, eval_seed=20240806,
)
QUICK = dict(FULL, policy_examples=200, policy_steps=3, policy_batch=2, large_steps=3, large_batch=2, prm_lm_steps=2, sample_problems=8,
             samples_per_problem=3, prm_steps=3, prm_batch=2, prm_mc_problems=2, prm_rollouts=2, rev_steps=3,
             rev_batch=2, eval_samples=4, search_n=4, search_levels="3", rev_chains=2, rev_chain_length=3, max_new=24, gen_batch=256,
             eval_per_level=2)


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
    ap.add_argument("--from", dest="start", choices=STAGES, default="policy",
                    help="skip the stages before this one (their outputs come from --work where needed)")
    ap.add_argument("--stop-after", choices=STAGES, default=None)
    ap.add_argument("--stages", default=None,
                    help="comma-separated: run exactly these stages (others' outputs come from --work where needed), "
                         "then stop; e.g. policy,samples,revision")
    a = ap.parse_args()
    only = a.stages.split(",") if a.stages else None
    for name in only or []:
        if name not in STAGES:
            raise SystemExit(f"--stages: unknown stage {name!r} (stages: {', '.join(STAGES)})")
    hp = hyperparameters(a.quick)
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.work, exist_ok=True)
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    hw = torch.cuda.get_device_name(0) if device() == "cuda" else f"CPU ({platform.processor() or 'x86_64'}, {os.cpu_count()} cores)"
    info_path = os.path.join(a.work, "info.json")
    info = {}
    if (a.resume or a.start != "policy" or only) and os.path.exists(info_path):
        with open(info_path) as f:
            info = json.load(f)
    info.setdefault("seconds", {})
    info.setdefault("hardware", {})
    info["hyperparameters"] = hp  # "torch": the version that trained (set when a stage trains, not by an export)
    seed_all(0)

    rows = eval_set(hp["eval_seed"], hp["eval_per_level"])
    write_jsonl(os.path.join(a.out, "eval.jsonl"), rows)
    exclude = {r["problem"] for r in rows}
    print(f"wrote eval.jsonl ({len(rows)} problems); hardware {hw}; torch {torch.__version__}", flush=True)

    def save_info():
        with open(info_path, "w") as f:
            json.dump(info, f, indent=2)

    def train(name):
        if name == "policy":
            return train_policy(a.work, exclude, hp)
        if name == "policy_large":
            large, secs = train_policy(a.work, exclude, hp, name="policy_large", config=M.LARGE,
                                       steps=hp["large_steps"], lr=hp["large_lr"], batch=hp["large_batch"],
                                       seconds=hp["large_seconds"])
            greedy = write_large_greedy(large, rows, hp, a.work)
            return large, secs, {"parameters": large.num_parameters(), "greedy": greedy}
        if name == "samples":
            return make_samples(a.work, get("policy"), exclude, hp)
        if name == "prm":
            if hp["prm_init"] == "policy_large":
                init = get("policy_large")
            elif hp["prm_init"] == "lm":  # its own LM phase: no 29 MB checkpoint has to travel to this call
                init, _ = train_policy(a.work, exclude, hp, name="prm_lm", config=M.LARGE, steps=hp["prm_lm_steps"],
                                       lr=hp["prm_lm_lr"])
            else:
                raise SystemExit(f"TINY_PRM_INIT={hp['prm_init']!r}: expected lm or policy_large")
            return train_prm(a.work, get("policy") if hp["prm_mc_problems"] > 0 else None, init, get("samples"), exclude, hp)
        if name == "revision":
            return train_revision(a.work, get("policy"), get("samples"), hp)
        if name == "eval":
            large = load_json(os.path.join(a.work, "policy_large_eval.json")).get("greedy")
            table, summary = evaluate.evaluate(get("policy"), get("prm"), get("revision"), rows, hp, large_greedy=large)
            out = {"metrics": table, "summary": summary}
            with open(os.path.join(a.work, "metrics.json"), "w") as f:
                json.dump(out, f, indent=2)
            return out, None
        raise ValueError(name)

    cache = {}

    def get(name):
        if name in cache:
            return cache[name]
        path = os.path.join(a.work, OUTPUT[name])
        skipped = (name not in only) if only else STAGES.index(name) < STAGES.index(a.start)
        if skipped or (a.resume and os.path.exists(path) and not (name == "eval" and ran)):
            if not os.path.exists(path):
                raise SystemExit(f"stage {name} is not run by this call (--from/--stages) but {path} is missing: "
                                 f"run that stage or bring its output into --work")
            print(f"[{name}] reusing {path}", flush=True)
            if name == "samples":
                cache[name] = load_samples(a.work)
            elif name == "eval":
                cache[name] = load_json(path)
            else:
                cache[name] = M.load(path, device())
            return cache[name]
        t0 = time.time()
        out = train(name)
        info["seconds"][name] = round(time.time() - t0, 1)
        info["hardware"][name] = hw
        info["torch"] = torch.__version__
        if len(out) > 2:
            info[name] = out[2]
        save_info()
        cache[name] = out[0]
        return out[0]

    last = STAGES.index(a.stop_after) if a.stop_after else len(STAGES) - 1
    todo = only or STAGES[STAGES.index(a.start):last + 1]
    ran = []
    for name in STAGES:
        # with --resume, a stage whose output exists is only loaded if a later step needs it; the
        # evaluation is redone when any model was (re)trained in this invocation
        fresh = a.resume and os.path.exists(os.path.join(a.work, OUTPUT[name])) and not (name == "eval" and ran)
        # the samples only feed the PRM and the revision model: not needed once both exist
        fed = a.resume and name == "samples" and all(os.path.exists(os.path.join(a.work, OUTPUT[c])) for c in ("prm", "revision"))
        if name in todo and not fresh and not fed:
            get(name)
            ran.append(name)
            if name == "policy" and (a.stop_after == "policy" or only):
                quick_policy_report(cache["policy"], rows, hp)
    if a.stop_after or only:
        return

    measured = get("eval")
    table = {int(k): v for k, v in measured["metrics"].items()}
    print(evaluate.markdown(table, hp["eval_samples"]))
    print(evaluate.revision_markdown(table, hp["rev_chain_length"]))
    print(json.dumps(measured["summary"], indent=1))
    models = {"policy": get("policy"), "policy-large": get("policy_large"), "revision": get("revision"), "prm": get("prm")}
    for m in models.values():
        m.cpu().eval()
    row = mean_row_tokens(exclude)   # both policies train on the same rows
    tokens = {"policy": tokens_seen(hp["policy_steps"], hp["policy_batch"], row),
              "policy-large": tokens_seen(hp["large_steps"], hp["large_batch"], row)}
    export_onnx.export_all(models, a.out, pretraining_tokens=tokens)
    parity.write(models, os.path.join(a.out, "parity.json"))
    card.write(os.path.join(a.out, "MODEL_CARD.md"), {**info, **measured}, models, a.out)


def write_large_greedy(large, rows, hp, work):
    """The large policy's greedy accuracy by level -> work/policy_large_eval.json (the eval stage and the card read it)."""
    greedy = evaluate.greedy_by_level(large, rows, hp)
    with open(os.path.join(work, "policy_large_eval.json"), "w") as f:
        json.dump({"greedy": greedy}, f)
    print(f"[policy_large] greedy by level: {greedy}", flush=True)
    return greedy


def load_json(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


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
