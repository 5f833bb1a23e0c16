#!/usr/bin/python3
"""PyTorch reference sampler for scripts/bench-engine.sh: the tiny model of models/tiny-arith, run by
its own training code (train/model.py GPT, train/sample.py left padding) with the KV cache, on the
same weights as the ONNX files the C# engine loads.

The weights are read back from the ONNX files (initializers, mapped to the GPT's parameters by the
exporter's node names), so the reference runs exactly what the engine runs, random or trained, with
no checkpoint outside the repo. Before timing anything it checks itself against parity.json.

Timing: one warm-up call, then the best of --repeats runs of each workload (the C# side does the same).

Writes one JSON file: the workload (prompts, PRM candidates) and the timings; the C# benchmark reads
the workload from it so both sides run the same thing.

    /usr/bin/python3 benchmarks/torch_reference.py --out /tmp/torch.json [--threads 2] [--new-tokens 32] [--repeats 1]
"""
import argparse
import json
import os
import random
import sys
import time

import onnx
import torch
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.abspath(os.environ.get("BENCH_MODELS") or os.path.join(ROOT, "models", "tiny-arith"))
sys.path.insert(0, os.path.join(ROOT, "models", "tiny-arith", "train"))
import model as M  # noqa: E402
import task  # noqa: E402
from sample import left_pad  # noqa: E402


def load_from_onnx(manifest_name):
    man = json.load(open(os.path.join(MODELS, manifest_name)))
    graph = onnx.load(os.path.join(MODELS, man["onnx"])).graph
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for n in graph.node:  # the exporter aliases deduplicated initializers through Identity nodes; fp16
        # weights reach the graph through a Cast to float32 (export_onnx.fp16_initializers)
        if n.op_type in ("Identity", "Cast") and n.input[0] in values:
            values[n.output[0]] = values[n.input[0]].astype("float32")
    state = {"wte.weight": values["gpt.wte.weight"], "wpe.weight": values["gpt.wpe.weight"]}
    for n in graph.node:
        parts = n.name.strip("/").split("/")
        if parts[0] == "gpt":  # the decoder export wraps the GPT in a module named gpt, the PRM's does not
            parts = parts[1:]
        if len(parts) < 2:
            continue  # "/gpt/MatMul" is the tied output embedding
        module = ".".join(parts[:-1])
        consts = [values[i] for i in n.input if i in values]
        if n.op_type == "MatMul" and consts:
            state[module + ".weight"] = consts[0].T
        elif n.op_type == "Add" and consts:
            state[module + ".bias"] = consts[0]
        elif n.op_type == "LayerNormalization":
            state[module + ".weight"], state[module + ".bias"] = values[n.input[1]], values[n.input[2]]
    cfg = M.Config(vocab_size=man["vocab_size"], n_layer=man["num_layers"], n_head=man["num_heads"],
                   n_embd=man["hidden_size"], mlp_hidden=state["blocks.0.fc.weight"].shape[0],
                   max_positions=man["max_positions"], value_head=man["role"] == "prm")
    gpt = M.GPT(cfg)
    gpt.load_state_dict({k: torch.tensor(v.copy()) for k, v in state.items()}, strict=True)
    return gpt.eval()


@torch.no_grad()
def check_parity(policy, prm):
    parity = json.load(open(os.path.join(MODELS, "parity.json")))
    worst = 0.0
    for case in parity["decoder"]:
        if case["model"] != "policy":
            continue
        x = torch.tensor([case["input_ids"]])
        logits, _ = policy(x, torch.ones_like(x), torch.arange(x.shape[1])[None], None)
        worst = max(worst, float((logits[0, -1] - torch.tensor(case["logits"][0])).abs().max()))
    for case in parity["prm"]:
        x = torch.tensor([case["input_ids"]])
        s = prm.scores(x, torch.ones_like(x))[0]
        worst = max(worst, float((s[case["step_end_positions"]] - torch.tensor(case["step_scores"])).abs().max()))
    if worst > 1e-4:
        sys.exit(f"torch_reference: weights read from ONNX do not reproduce parity.json (max diff {worst})")
    return worst


@torch.no_grad()
def sample_forced(gpt, prompts, new_tokens, temperature, gen):
    """The KV-cache loop of train/sample.py, run for exactly new_tokens tokens per row (no EOS stop)."""
    ids, mask = left_pad(prompts, "cpu")
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    logits, past = gpt(ids, mask, pos, None)
    last_pos = pos[:, -1:]
    for step in range(new_tokens):
        probs = torch.softmax(logits[:, -1, :].float() / temperature, dim=-1)
        tok = torch.multinomial(probs, 1, generator=gen)
        if step == new_tokens - 1:
            break
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        last_pos = last_pos + 1
        logits, past = gpt(tok, mask, last_pos, past)
    return len(prompts) * new_tokens


@torch.no_grad()
def score_prm(prm, texts, batch):
    """Step scores of every candidate, right-padded batches, read at each delimiter's last token."""
    n_steps = 0
    for start in range(0, len(texts), batch):
        chunk = [task.encode(t, bos=True) for t in texts[start:start + batch]]
        n = max(len(c) for c in chunk)
        ids = torch.full((len(chunk), n), task.EOT_ID, dtype=torch.long)
        mask = torch.zeros((len(chunk), n), dtype=torch.long)
        for i, c in enumerate(chunk):
            ids[i, :len(c)] = torch.tensor(c)
            mask[i, :len(c)] = 1
        scores = prm.scores(ids, mask)
        for i, t in enumerate(texts[start:start + batch]):
            ends = [1 + j + 1 for j in range(len(t) - 1) if t[j:j + 2] == "\n\n"][1:]  # skip the prompt's own
            n_steps += len(scores[i, ends])
    return n_steps


def best_of(repeats, fn):
    best = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        work = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    return work, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--batches", default="1,16,64,256")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--prm-candidates", type=int, default=64)
    ap.add_argument("--prm-batch", type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    policy, prm = load_from_onnx("policy.manifest.json"), load_from_onnx("prm.manifest.json")
    diff = check_parity(policy, prm)
    batches = [int(b) for b in a.batches.split(",")]
    rng = random.Random(20240806)
    problems = [task.make_problem(rng, 1 + i % 5) for i in range(max(max(batches), a.prm_candidates))]
    prompts = [task.prompt_text(p["problem"]) for p in problems]
    candidates = [{"problem": p["problem"], "steps": task.split_steps(p["solution"])} for p in problems[:a.prm_candidates]]

    out = {"torch_version": torch.__version__, "threads": a.threads, "new_tokens": a.new_tokens,
           "parity_max_diff": diff, "prompts": prompts, "prm_candidates": candidates, "generation": []}
    gen = torch.Generator().manual_seed(0)
    sample_forced(policy, [task.encode(prompts[0], bos=True)], 8, 1.0, gen)  # warm-up: first-call allocations
    for b in batches:
        ids = [task.encode(p, bos=True) for p in prompts[:b]]
        tokens, secs = best_of(a.repeats, lambda: sample_forced(policy, ids, a.new_tokens, 1.0, gen))
        out["generation"].append({"batch": b, "tokens": tokens, "seconds": secs, "tokens_per_s": tokens / secs})
        print(f"torch  batch {b:4d}: {tokens / secs:10.1f} tokens/s", file=sys.stderr)
    texts = [task.prompt_text(c["problem"]) + task.solution_text(c["steps"]) for c in candidates]
    steps, secs = best_of(a.repeats, lambda: score_prm(prm, texts, a.prm_batch))
    out["prm"] = {"candidates": len(texts), "steps": steps, "seconds": secs, "steps_per_s": steps / secs}
    print(f"torch  PRM: {steps / secs:10.1f} steps/s", file=sys.stderr)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
