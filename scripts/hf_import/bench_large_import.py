"""Measures an import at real scale on the GPU machine (transformers, torch, onnxruntime there):
a random-weight checkpoint with Qwen2.5-Math-PRM-7B's published config (bf16 safetensors, sharded,
~15 GB), imported with import_hf.py as float16 (external data), then the ONNX graph run by
onnxruntime (CPU) against the same weights through transformers' Qwen2Model + the score head
(float32, CUDA). Reports the import's wall time and peak memory (RSS of the importer process).

    python3 scripts/hf_import/bench_large_import.py --work /tmp/big --out $OUT
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# Qwen2.5-Math-PRM-7B (../shared/notes/real-models.md, section 3).
CONFIG = {"architectures": ["Qwen2ForProcessRewardModel"], "attention_dropout": 0.0, "bos_token_id": 151643,
          "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 3584, "initializer_range": 0.02,
          "intermediate_size": 18944, "max_position_embeddings": 4096, "max_window_layers": 28, "model_type": "qwen2",
          "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4, "rms_norm_eps": 1e-05,
          "rope_theta": 10000.0, "sliding_window": 131072, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
          "use_cache": True, "use_mrope": False, "use_sliding_window": False, "vocab_size": 152064}


def log(out: str, msg: str) -> None:
    print(msg, flush=True)
    with open(os.path.join(out, "log.txt"), "a") as f:
        f.write(msg + "\n")


def make_checkpoint(folder: str, layers: int | None) -> dict:
    import torch
    from safetensors.torch import save_file
    import hf_config
    import import_hf
    cfg = dict(CONFIG)
    if layers:
        cfg["num_hidden_layers"] = layers
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    spec = hf_config.parse_config(cfg)
    shapes = import_hf.expected_tensors(spec, "prm", "two_class")
    g = torch.Generator(device="cuda").manual_seed(0)
    weight_map, shard, size, n = {}, {}, 0, 0

    def flush():
        nonlocal shard, size, n
        if shard:
            n += 1
            name = f"model-{n:05d}.safetensors"
            save_file(shard, os.path.join(folder, name), metadata={"format": "pt"})
            weight_map.update({k: name for k in shard})
            shard, size = {}, 0
    for name, shape in shapes.items():
        if name.endswith("norm.weight"):
            t = 1 + 0.1 * torch.randn(shape, generator=g, device="cuda")
        else:
            t = 0.02 * torch.randn(shape, generator=g, device="cuda")
        shard[name] = t.to(torch.bfloat16).cpu()
        size += shard[name].numel() * 2
        if size > 4 << 30:
            flush()
    flush()
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [f"<|s{i}|>" for i in range(5)] + ["<extra_0>"]
    vocab = {f"t{i}": i for i in range(151643)}
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        json.dump({"model": {"type": "BPE", "vocab": vocab, "merges": []},
                   "added_tokens": [{"id": 151643 + i, "content": s, "special": True} for i, s in enumerate(specials)]}, f)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}, f)
    return cfg


def reference_logits(folder: str, cfg: dict, ids):
    """transformers' Qwen2Model + score = Linear, ReLU, Linear (modeling_qwen2_rm.py's head), float32 on CUDA."""
    import torch
    from safetensors.torch import load_file
    from transformers import Qwen2Config, Qwen2Model
    sd = {}
    for name in sorted(set(json.load(open(os.path.join(folder, "model.safetensors.index.json")))["weight_map"].values())):
        sd.update(load_file(os.path.join(folder, name)))
    with torch.device("cuda"):
        model = Qwen2Model(Qwen2Config(**{k: v for k, v in cfg.items() if k != "architectures"})).float().eval()
    missing, unexpected = model.load_state_dict({k[len("model."):]: v.float() for k, v in sd.items() if k.startswith("model.")}, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    head = torch.nn.Sequential(torch.nn.Linear(cfg["hidden_size"], cfg["hidden_size"]), torch.nn.ReLU(),
                               torch.nn.Linear(cfg["hidden_size"], 2)).cuda().float()
    head[0].weight.data, head[0].bias.data = sd["score.0.weight"].float().cuda(), sd["score.0.bias"].float().cuda()
    head[2].weight.data, head[2].bias.data = sd["score.2.weight"].float().cuda(), sd["score.2.bias"].float().cuda()
    with torch.no_grad():
        h = model(input_ids=torch.tensor(ids, device="cuda")).last_hidden_state
        return head(h).cpu().numpy()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, help="fewer layers than the real 28 (a quicker run)")
    ap.add_argument("--skip-ort", action="store_true")
    a = ap.parse_args()
    import numpy as np
    ckpt, imported = os.path.join(a.work, "ckpt"), os.path.join(a.work, "onnx")
    t = time.time()
    cfg = make_checkpoint(ckpt, a.layers)
    size = sum(os.path.getsize(os.path.join(ckpt, f)) for f in os.listdir(ckpt))
    log(a.out, f"checkpoint: {cfg['num_hidden_layers']} layers, {size / 1e9:.2f} GB on disk ({time.time() - t:.0f}s)")

    t = time.time()
    r = subprocess.run([sys.executable, os.path.join(HERE, "import_hf.py"), ckpt, "--out", imported, "--dtype", "float16",
                        "--name", "prm7b"], capture_output=True, text=True)
    wall = time.time() - t
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    log(a.out, r.stdout + r.stderr)
    if r.returncode:
        raise SystemExit(f"import failed ({r.returncode})")
    files = {f: os.path.getsize(os.path.join(imported, f)) for f in os.listdir(imported)}
    log(a.out, f"import: {wall:.0f}s wall, peak RSS {rss:.2f} GiB; files {json.dumps(files)}")
    with open(os.path.join(a.out, "result.json"), "w") as f:
        json.dump({"layers": cfg["num_hidden_layers"], "checkpoint_bytes": size, "import_seconds": wall,
                   "import_peak_rss_gib": rss, "files": files,
                   "manifest": json.load(open(os.path.join(imported, "prm7b.manifest.json")))}, f, indent=2)
    if a.skip_ort:
        return

    import onnxruntime as ort
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 151643, size=(2, 40))
    mask = np.ones_like(ids)
    mask[1, 30:] = 0                                   # right padding on row 1
    pos = np.tile(np.arange(40), (2, 1))
    t = time.time()
    opts = ort.SessionOptions()
    sess = ort.InferenceSession(os.path.join(imported, "model.onnx"), opts, providers=["CPUExecutionProvider"])
    load = time.time() - t
    t = time.time()
    got = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask, "position_ids": pos})[0]
    run = time.time() - t
    ref = reference_logits(ckpt, cfg, ids)
    valid = mask.astype(bool)
    err = float(np.abs(got[valid] - ref[valid]).max())
    softmax = lambda x: np.exp(x - x.max(-1, keepdims=True)) / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)
    perr = float(np.abs(softmax(got)[valid][:, 1] - softmax(ref)[valid][:, 1]).max())
    log(a.out, f"onnxruntime CPU: session {load:.0f}s, run {run:.1f}s; max |logit - transformers fp32| {err:.3e} "
               f"(logits up to {np.abs(ref).max():.3f}); max |P(class 1) diff| {perr:.3e}")


if __name__ == "__main__":
    main()
