#!/usr/bin/env python3
"""Random-weight checkpoints of real published configs, and transformers' side of the GPU comparison (issue 11).

Weights cannot be downloaded on the GPU machine, so `make` builds the published architectures
(Llama-3.2-1B-Instruct, Qwen2.5-Math-1.5B-Instruct, Qwen2.5-Math-PRM-7B: config values from
../shared/notes/real-models.md) with random weights and saves them as a Hugging Face folder exactly as
published (bf16 safetensors in <= 5 GB shards with model.safetensors.index.json). The tokenizer files come
from the family's tiny fixture (tests/Fixtures/hf/): same kind and special tokens, smaller vocabulary, so
prompts tokenize the same way on both sides; the model's vocabulary keeps its published size.

`prompts` writes prompts.json for GpuBench (token ids from the tokenizers library and the same prompts
as text: the engine tokenizes the text and must get the same ids). `bench` times transformers
(sdpa, fp16): generate() tokens/s, and PRM forward steps/s on the exact token ids GpuBench scored
(prm-inputs.json). `parity` checks the engine's greedy tokens against transformers' float32 forward.

    python3 scripts/gpu/real_models.py make --name llama-3.2-1b-instruct --out /tmp/real/llama
    python3 scripts/gpu/real_models.py prompts --tokenizer /tmp/real/llama --out /tmp/real/llama-prompts.json
    python3 scripts/gpu/real_models.py bench --model /tmp/real/llama --prompts ... --out hf-llama.json
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import time

import torch

from fillers import add_fillers

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Fixtures", "hf")

CONFIGS = {
    "llama-3.2-1b-instruct": ("llama-policy", {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "head_dim": 64,
        "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
        "max_position_embeddings": 131072, "mlp_bias": False, "model_type": "llama", "num_attention_heads": 32,
        "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
        "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "rope_theta": 500000.0, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
        "transformers_version": "4.45.0.dev0", "use_cache": True, "vocab_size": 128256}),
    "qwen2.5-math-1.5b-instruct": ("qwen2-policy", {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "hidden_act": "silu", "hidden_size": 1536,
        "initializer_range": 0.02, "intermediate_size": 8960, "max_position_embeddings": 4096, "max_window_layers": 21,
        "model_type": "qwen2", "num_attention_heads": 12, "num_hidden_layers": 28, "num_key_value_heads": 2,
        "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "sliding_window": 4096, "tie_word_embeddings": True,
        "torch_dtype": "bfloat16", "transformers_version": "4.37.0", "use_cache": True, "use_sliding_window": False,
        "vocab_size": 151936}),
    "qwen2.5-math-prm-7b": ("qwen-prm", {
        "architectures": ["Qwen2ForProcessRewardModel"],
        "auto_map": {"AutoConfig": "configuration_qwen2_rm.Qwen2RMConfig",
                     "AutoModel": "modeling_qwen2_rm.Qwen2ForProcessRewardModel"},
        "attention_dropout": 0.0, "hidden_act": "silu", "hidden_size": 3584, "initializer_range": 0.02,
        "intermediate_size": 18944, "max_position_embeddings": 4096, "max_window_layers": 28, "model_type": "qwen2",
        "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4, "rms_norm_eps": 1e-05,
        "rope_theta": 10000.0, "sliding_window": 131072, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
        "transformers_version": "4.37.0", "use_cache": True, "use_mrope": False, "use_sliding_window": False,
        "vocab_size": 152064}),
}


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)


def save_sharded(out: str, sd: dict, shard_bytes: int = 5 * 10**9):
    from safetensors.torch import save_file
    shards, cur, size = [], {}, 0
    for name in sorted(sd):
        t = sd[name].detach().to(torch.bfloat16).contiguous().cpu()
        if cur and size + t.numel() * 2 > shard_bytes:
            shards.append(cur)
            cur, size = {}, 0
        cur[name] = t
        size += t.numel() * 2
    shards.append(cur)
    weight_map, total = {}, 0
    for i, part in enumerate(shards):
        file = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        save_file(part, os.path.join(out, file), metadata={"format": "pt"})
        for n, t in part.items():
            weight_map[n] = file
            total += t.numel() * 2
    write_json(os.path.join(out, "model.safetensors.index.json"), {"metadata": {"total_size": total}, "weight_map": weight_map})


def make(a):
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM, Qwen2Model
    family, cfg = CONFIGS[a.name]
    src = os.path.join(FIXTURES, family)
    fixture_cfg = json.load(open(os.path.join(src, "config.json")))
    cfg = dict(cfg, bos_token_id=fixture_cfg["bos_token_id"], eos_token_id=fixture_cfg["eos_token_id"])
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(1234)
    t0 = time.time()
    with torch.device("cuda"):
        arch = cfg["architectures"][0]
        if arch == "LlamaForCausalLM":
            model = LlamaForCausalLM(LlamaConfig(**cfg)).to(torch.bfloat16)
            sd = dict(model.state_dict())
        elif arch == "Qwen2ForCausalLM":
            model = Qwen2ForCausalLM(Qwen2Config(**cfg)).to(torch.bfloat16)
            sd = dict(model.state_dict())
        else:
            base = Qwen2Model(Qwen2Config(**cfg)).to(torch.bfloat16)
            h = cfg["hidden_size"]
            score = torch.nn.Sequential(torch.nn.Linear(h, h), torch.nn.ReLU(), torch.nn.Linear(h, 2)).to(torch.bfloat16)
            sd = {"model." + k: v for k, v in base.state_dict().items()}
            sd.update({"score." + k: v for k, v in score.state_dict().items()})
            sd["lm_head.weight"] = torch.randn(cfg["vocab_size"], h, dtype=torch.bfloat16) * 0.02
    if cfg.get("tie_word_embeddings"):
        sd.pop("lm_head.weight", None)
    save_sharded(a.out, sd)
    write_json(os.path.join(a.out, "config.json"), cfg)
    for f in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "generation_config.json", "special_tokens_map.json"):
        if os.path.exists(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), a.out)
    add_fillers(os.path.join(a.out, "tokenizer.json"), cfg["vocab_size"])
    n = sum(t.numel() for t in sd.values())
    print(json.dumps({"name": a.name, "parameters": n, "seconds": round(time.time() - t0, 1)}), flush=True)


def prompts(a):
    """Prompts of exactly --tokens tokens built from whole vocabulary words that encode to themselves."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(a.tokenizer, "tokenizer.json"))
    vocab = tok.get_vocab(with_added_tokens=False)
    words = []
    for piece, i in sorted(vocab.items(), key=lambda kv: kv[1]):
        text = tok.decode([i])
        if len(text) >= 3 and text.startswith(" ") and text[1:].isalpha() and tok.encode(text, add_special_tokens=False).ids == [i]:
            words.append((text, i))
    rng = random.Random(a.seed)

    def prompt(n):
        chosen = [rng.choice(words) for _ in range(n)]
        text = "".join(w for w, _ in chosen)
        ids = tok.encode(text, add_special_tokens=False).ids
        assert ids == [i for _, i in chosen], "words merged across boundaries"
        return text, ids

    parity = [prompt(n) for n in (12, 40, 97, a.tokens)]
    bench = [prompt(a.tokens) for _ in range(a.count)]
    write_json(a.out, {"parity_text": [t for t, _ in parity], "parity": [i for _, i in parity],
                       "bench_text": [t for t, _ in bench], "bench": [i for _, i in bench], "words": len(words)})
    print(json.dumps({"words": len(words), "bench": len(bench), "tokens": a.tokens}))


def sync():
    torch.cuda.synchronize()


def load_policy(path, dtype):
    from transformers import AutoModelForCausalLM
    return AutoModelForCausalLM.from_pretrained(path, dtype=dtype, attn_implementation="sdpa").cuda().eval()


def load_prm(path, dtype):
    """Qwen2.5-Math-PRM: the Qwen2 backbone + score head, as the checkpoint's remote code builds it."""
    from safetensors.torch import load_file
    from transformers import Qwen2Config, Qwen2Model
    cfg = json.load(open(os.path.join(path, "config.json")))
    keep = {k: v for k, v in cfg.items() if k not in ("architectures", "auto_map")}
    with torch.device("cuda"):
        base = Qwen2Model(Qwen2Config(**keep, attn_implementation="sdpa")).to(dtype)
        h = cfg["hidden_size"]
        score = torch.nn.Sequential(torch.nn.Linear(h, h), torch.nn.ReLU(), torch.nn.Linear(h, 2)).to(dtype)
    index = json.load(open(os.path.join(path, "model.safetensors.index.json")))
    sd = {}
    for f in sorted(set(index["weight_map"].values())):
        sd.update(load_file(os.path.join(path, f), device="cuda"))
    base.load_state_dict({k[6:]: v for k, v in sd.items() if k.startswith("model.")})
    score.load_state_dict({k[6:]: v for k, v in sd.items() if k.startswith("score.")})
    return base.eval(), score.eval()


@torch.no_grad()
def bench(a):
    import transformers
    dtype = torch.float16
    result = {"device": torch.cuda.get_device_name(), "transformers": transformers.__version__, "torch": torch.__version__,
              "dtype": "float16", "attn_implementation": "sdpa"}
    if a.kind == "policy":
        p = json.load(open(a.prompts))
        model = load_policy(a.model, dtype)
        pad = model.generation_config.pad_token_id or 0
        result["parity_tokens"] = []
        for ids in p["parity"]:
            x = torch.tensor([ids], device="cuda")
            out = model.generate(input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=a.parity_new_tokens,
                                 min_new_tokens=a.parity_new_tokens, do_sample=False, pad_token_id=pad, eos_token_id=None)
            result["parity_tokens"].append(out[0, len(ids):].tolist())
        rows = []
        for batch in [int(x) for x in a.batches.split(",")]:
            x = torch.tensor(p["bench"][:batch], device="cuda")
            gen = lambda n: model.generate(input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=n, min_new_tokens=n,
                                           do_sample=False, pad_token_id=pad, eos_token_id=None)
            gen(8)
            sync()
            t0 = time.perf_counter()
            gen(1)
            sync()
            prefill = time.perf_counter() - t0
            t0 = time.perf_counter()
            out = gen(a.new_tokens)
            sync()
            secs = time.perf_counter() - t0
            made = out.shape[1] - x.shape[1]
            row = {"runner": "transformers-generate", "batch": batch, "prompt_tokens": x.shape[1], "new_tokens": made,
                   "seconds": secs, "prefill_seconds": prefill, "tokens_per_s": batch * made / secs,
                   "decode_tokens_per_s": batch * (made - 1) / max(secs - prefill, 1e-9),
                   "max_memory_gib": torch.cuda.max_memory_allocated() / 2**30}
            rows.append(row)
            print(json.dumps(row), flush=True)
        result["bench"] = rows
    else:
        base, score = load_prm(a.model, dtype)
        inputs = json.load(open(a.prm_inputs))
        rows = []
        for case in inputs["cases"]:
            seqs = case["input_ids"]   # the exact ids the engine scored, one list per candidate
            steps = case["steps"]
            L = max(len(s) for s in seqs)
            ids = torch.zeros(len(seqs), L, dtype=torch.long)
            mask = torch.zeros(len(seqs), L, dtype=torch.long)
            for i, s in enumerate(seqs):
                ids[i, :len(s)] = torch.tensor(s)
                mask[i, :len(s)] = 1
            ids, mask = ids.cuda(), mask.cuda()
            run = lambda: torch.softmax(score(base(input_ids=ids, attention_mask=mask).last_hidden_state).float(), -1)[..., 1].cpu()
            for _ in range(2):
                run()
            sync()
            reps = 5
            t0 = time.perf_counter()
            for _ in range(reps):
                run()
            sync()
            secs = (time.perf_counter() - t0) / reps
            row = {"runner": "transformers-forward", "case": case["name"], "candidates": len(seqs), "tokens": L,
                   "scored_steps": steps, "seconds": secs, "steps_per_s": steps / secs,
                   "max_memory_gib": torch.cuda.max_memory_allocated() / 2**30}
            rows.append(row)
            print(json.dumps(row), flush=True)
        result["prm"] = rows
    write_json(a.out, result)


@torch.no_grad()
def parity(a):
    """Each engine greedy token is transformers' float32 top-1 (teacher-forced), or within --tol of it."""
    p = json.load(open(a.prompts))
    engine = json.load(open(a.engine))["tokens"]
    model = load_policy(a.model, torch.float32)
    report = []
    for prompt, got in zip(p["parity"], engine):
        x = torch.tensor([prompt + got], device="cuda")
        logits = model(input_ids=x).logits[0, len(prompt) - 1:-1]
        top = logits.argmax(-1).tolist()
        gaps = (logits.max(-1).values - logits.gather(1, torch.tensor(got, device="cuda")[:, None])[:, 0]).tolist()
        report.append({"tokens": len(got), "top1_equal": sum(int(t == g) for t, g in zip(top, got)),
                       "max_gap": max(gaps), "within_tol": all(g <= a.tol for g in gaps)})
    ok = all(r["within_tol"] for r in report)
    write_json(a.out, {"ok": ok, "prompts": report})
    print(json.dumps({"ok": ok, "prompts": report}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--name", choices=sorted(CONFIGS), required=True)
    m.add_argument("--out", required=True)
    pr = sub.add_parser("prompts")
    pr.add_argument("--tokenizer", required=True)
    pr.add_argument("--out", required=True)
    pr.add_argument("--tokens", type=int, default=300)
    pr.add_argument("--count", type=int, default=256)
    pr.add_argument("--seed", type=int, default=7)
    b = sub.add_parser("bench")
    b.add_argument("--kind", choices=["policy", "prm"], required=True)
    b.add_argument("--model", required=True)
    b.add_argument("--prompts")
    b.add_argument("--prm-inputs")
    b.add_argument("--out", required=True)
    b.add_argument("--batches", default="64,256")
    b.add_argument("--new-tokens", type=int, default=512)
    b.add_argument("--parity-new-tokens", type=int, default=32)
    c = sub.add_parser("parity")
    c.add_argument("--model", required=True)
    c.add_argument("--prompts", required=True)
    c.add_argument("--engine", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--tol", type=float, default=0.05)
    a = ap.parse_args()
    {"make": make, "prompts": prompts, "bench": bench, "parity": parity}[a.cmd](a)


if __name__ == "__main__":
    main()
